using Executus.Configuration;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Executus.Schedules.Tests;

public sealed class HostedRunnerTests : ScheduleTestBase
{
    [Fact]
    public async Task DI_registers_the_store_the_runner_and_the_hosted_service_from_configuration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([
                new("Executus:Schedule:HostId", "host-7"),
                new("Executus:Schedule:Lane", "cron"),
                new("Executus:Schedule:LeaseDuration", "2m"),
                new("Executus:Schedule:MisfireThreshold", "30s"),
            ]))
            .UseChatClient(Model)
            .AddAgent(new RunnableAgent("reporter"))
            .AddSchedules(o => o.RefreshInterval = TimeSpan.FromSeconds(30));
        await using ServiceProvider provider = services.BuildServiceProvider();

        ScheduleRunner runner = provider.GetRequiredService<ScheduleRunner>();
        Assert.Same(runner, Assert.Single(provider.GetServices<IHostedService>().OfType<ScheduleRunner>()));
        Assert.IsType<InMemoryScheduleStore>(runner.Store);
        Assert.Equal(("host-7", "cron", TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)),
            (runner.Options.HostId, runner.Options.Lane, runner.Options.LeaseDuration, runner.Options.MisfireThreshold, runner.Options.RefreshInterval));

        await runner.SaveAsync(Hourly());
        RunResult result = await runner.RunNowAsync("hourly");
        Assert.Equal(RunOutcome.Completed, result.Outcome);
    }

    [Fact]
    public async Task Hosted_loop_sleeps_on_the_time_provider_and_fires_when_the_clock_reaches_the_occurrence()
    {
        await using ScheduleRunner runner = NewRunner(configure: o => o.RefreshInterval = TimeSpan.FromMinutes(10));
        var sleeps = new SemaphoreSlim(0);
        var delays = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        runner.Sleeping = d =>
        {
            delays.Enqueue(d);
            sleeps.Release();
        };
        Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Model.Gate.SetResult();

        await runner.StartAsync(CancellationToken.None);
        Assert.True(await sleeps.WaitAsync(TimeSpan.FromSeconds(30)));
        await runner.SaveAsync(new Schedule("soon", "*/5 * * * *", ScheduleTarget.ForAgent("reporter", "x")));
        Assert.True(await sleeps.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, Model.Calls);

        Time.Advance(TimeSpan.FromMinutes(5));
        await Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await runner.StopAsync(CancellationToken.None);

        Assert.Equal(["sched-soon-20261101T120500Z"], Model.RunIds);
        // The first sleep is the refresh interval (nothing planned); after the save it sleeps exactly until 12:05.
        Assert.Equal([TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)], delays.Take(2));
    }

    [Fact]
    public async Task Stop_cancels_running_firings_and_records_them()
    {
        ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly());
        Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Time.Advance(TimeSpan.FromHours(1));
        await runner.ProcessDueAsync(CancellationToken.None);
        await Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await runner.DisposeAsync();

        Assert.Equal(RunOutcome.Cancelled, (await Store.GetAsync("hourly"))!.LastOutcome);
        Assert.NotNull(await Store.TryAcquireLeaseAsync("hourly", "host-b", Time.GetUtcNow(), TimeSpan.FromMinutes(1)));
    }
}
