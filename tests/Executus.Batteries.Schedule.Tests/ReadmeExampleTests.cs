using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Schedules.Tests;

/// <summary>The README's example (schedule-readme), its output asserted.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_example_plans_across_dst_runs_now_and_refuses_a_bad_expression()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        using var model = new ScriptedChatClient().ReplyText("Report sent.");
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddExecutus()
            .UseChatClient(model)
            .AddAgent(new RunnableAgent("reporter") { Instructions = "Write the daily report." })
            .AddSchedules();
        await using var provider = services.BuildServiceProvider();

        var runner = provider.GetRequiredService<ScheduleRunner>();
        Schedule daily = await runner.SaveAsync(new Schedule("daily-report", "30 2 * * *", ScheduleTarget.ForAgent("reporter", "Today's report, please."))
        {
            TimeZone = "Europe/Berlin",
            Misfire = MisfirePolicy.FireOnce,
        });
        Assert.Equal("next: 2026-03-29 01:00:00Z", $"next: {daily.NextFireAt:u}");

        RunResult now = await runner.RunNowAsync("daily-report");
        Assert.Equal("run now: Completed (Report sent.)", $"run now: {now.Outcome} ({now.Text})");

        var ex = await Assert.ThrowsAsync<ScheduleValidationException>(async () => await runner.SaveAsync(new Schedule("broken", "0 25 * * *", ScheduleTarget.ForAgent("reporter", "x"))));
        Assert.StartsWith("Schedule 'broken': Cron is not valid: '0 25 * * *' does not parse: ", ex.Message, StringComparison.Ordinal);
    }
}
