using Executus.Auditing;
using Executus.Runs;

namespace Executus.Schedules.Tests;

public sealed class RunnerTests : ScheduleTestBase
{
    [Fact]
    public async Task Save_plans_the_next_occurrence_and_nothing_fires_before_it()
    {
        await using ScheduleRunner runner = NewRunner();
        Schedule saved = await runner.SaveAsync(Hourly());

        Assert.Equal(T0.AddHours(1), saved.NextFireAt);
        Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(T0.AddHours(1), await runner.ProcessDueAsync(CancellationToken.None));
        Assert.Equal(0, Model.Calls);
    }

    [Fact]
    public async Task Due_occurrence_fires_once_and_records_state()
    {
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly());
        Time.Advance(TimeSpan.FromHours(1));

        await ProcessAndDrainAsync(runner);
        await ProcessAndDrainAsync(runner);

        Assert.Equal(["sched-hourly-20261101T130000Z"], Model.RunIds);
        Schedule state = (await Store.GetAsync("hourly"))!;
        Assert.Equal(T0.AddHours(1), state.LastFireAt);
        Assert.Equal(T0.AddHours(2), state.NextFireAt);
        Assert.Equal(RunOutcome.Completed, state.LastOutcome);
        Assert.Equal("sched-hourly-20261101T130000Z", state.LastRunId);
    }

    [Theory]
    [InlineData(MisfirePolicy.SkipToNext, new string[0])]
    [InlineData(MisfirePolicy.FireOnce, new[] { "20261102T000000Z" })]
    [InlineData(MisfirePolicy.FireAll, new[] { "20261101T200000Z", "20261101T210000Z", "20261101T220000Z", "20261101T230000Z", "20261102T000000Z" })]
    public async Task Misfire_policy_after_a_twelve_hour_outage(MisfirePolicy policy, string[] expected)
    {
        await using (ScheduleRunner before = NewRunner())
        {
            await before.SaveAsync(Hourly(misfire: policy) with { MaxCatchUp = 5 });
        }

        // The host is down from 12:00 to 00:30: 12 occurrences (13:00 … 00:00) are missed, the newest by 30 minutes.
        Time.Advance(TimeSpan.FromHours(12.5));
        await using ScheduleRunner after = NewRunner();
        await ProcessAndDrainAsync(after);

        Assert.Equal(expected.Select(e => "sched-hourly-" + e), Model.RunIds);
        Assert.Equal(1, Model.MaxRunning <= 1 ? 1 : Model.MaxRunning);
        Schedule state = (await Store.GetAsync("hourly"))!;
        Assert.Equal(T0.AddHours(13), state.NextFireAt);
        Assert.Equal(expected.Length == 0 ? null : T0.AddHours(12), state.LastFireAt);
    }

    [Fact]
    public async Task Outage_ending_just_after_an_occurrence_fires_it_on_time_and_applies_the_policy_to_the_rest()
    {
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly(misfire: MisfirePolicy.FireOnce));
        Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromSeconds(20));

        await ProcessAndDrainAsync(runner);

        // FireOnce: the on-time firing at 00:00 covers the 11 missed ones.
        Assert.Equal(["sched-hourly-20261102T000000Z"], Model.RunIds);
    }

    [Fact]
    public async Task Budget_refused_catch_up_is_skipped_and_audited()
    {
        var budget = new FakeBudget(allow: false);
        var audit = new RecordingAudit();
        Ports = new RunPorts { Budget = budget, Audit = audit };
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly(misfire: MisfirePolicy.FireAll) with { MaxCatchUp = 3 });
        Time.Advance(TimeSpan.FromHours(12.5));

        await ProcessAndDrainAsync(runner);

        Assert.Equal(0, Model.Calls);
        Assert.Equal(3, budget.Checks.Count);
        Assert.All(budget.Checks, c => Assert.Equal("schedule:catch-up", c.Purpose));
        AuditEvent[] refused = [.. audit.Events.Where(e => e.Kind == AuditEventKind.BudgetRefused)];
        Assert.Equal(3, refused.Length);
        Assert.All(refused, e => Assert.Equal("hourly", e.Data[ScheduleRunner.ScheduleIdMetadataKey]));
        Assert.Contains("daily cap reached", refused[0].Detail, StringComparison.Ordinal);
        Assert.Equal(T0.AddHours(13), (await Store.GetAsync("hourly"))!.NextFireAt);
    }

    [Fact]
    public async Task Budget_allowed_catch_up_releases_its_question_and_runs()
    {
        var budget = new FakeBudget(allow: true);
        Ports = new RunPorts { Budget = budget };
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly(misfire: MisfirePolicy.FireOnce));
        Time.Advance(TimeSpan.FromHours(12.5));

        await ProcessAndDrainAsync(runner);

        Assert.Equal(1, Model.Calls);
        BudgetCheck question = budget.Checks.First(c => c.Purpose == "schedule:catch-up");
        Assert.Contains(budget.Released, r => r.Check == question && r.ReservationId == "res-1");
    }

    [Fact]
    public async Task On_time_firing_does_not_ask_the_budget_first()
    {
        var budget = new FakeBudget(allow: false);
        Ports = new RunPorts { Budget = budget };
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly());
        Time.Advance(TimeSpan.FromHours(1));

        await ProcessAndDrainAsync(runner);

        // The run itself is refused by the kernel at its first model call, not skipped by the runner.
        Assert.DoesNotContain(budget.Checks, c => c.Purpose == "schedule:catch-up");
        Assert.Equal(RunOutcome.BudgetExceeded, (await Store.GetAsync("hourly"))!.LastOutcome);
    }

    [Fact]
    public async Task Restart_neither_repeats_nor_loses_a_firing()
    {
        await using (ScheduleRunner first = NewRunner("host-a"))
        {
            await first.SaveAsync(Hourly());
            Time.Advance(TimeSpan.FromHours(1));
            await ProcessAndDrainAsync(first);
        }

        // Restarted at once: 13:00 was fired already and is not fired again.
        await using (ScheduleRunner second = NewRunner("host-a"))
        {
            await ProcessAndDrainAsync(second);
            Assert.Single(Model.RunIds);
        }

        // Down over 14:00 and back 20 s later: 14:00 is still fired.
        Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(20));
        await using ScheduleRunner third = NewRunner("host-b");
        await ProcessAndDrainAsync(third);

        Assert.Equal(["sched-hourly-20261101T130000Z", "sched-hourly-20261101T140000Z"], Model.RunIds);
        Assert.Equal(T0.AddHours(2), (await Store.GetAsync("hourly"))!.LastFireAt);
    }

    [Fact]
    public async Task Lease_held_by_another_host_prevents_the_firing_until_it_expires()
    {
        await using ScheduleRunner runner = NewRunner("host-a", configure: o => o.LeaseDuration = TimeSpan.FromMinutes(1));
        await runner.SaveAsync(Hourly());
        Time.Advance(TimeSpan.FromHours(1));
        Assert.NotNull(await Store.TryAcquireLeaseAsync("hourly", "host-b", Time.GetUtcNow(), TimeSpan.FromSeconds(30)));

        DateTimeOffset? retry = await runner.ProcessDueAsync(CancellationToken.None);
        await runner.WhenFiringsDoneAsync();

        Assert.Equal(0, Model.Calls);
        Assert.Equal(T0.AddHours(1), (await Store.GetAsync("hourly"))!.NextFireAt);
        Assert.Equal(Time.GetUtcNow().AddMinutes(1), retry);

        Time.Advance(TimeSpan.FromSeconds(30));
        await ProcessAndDrainAsync(runner);
        Assert.Equal(["sched-hourly-20261101T130000Z"], Model.RunIds);
    }

    [Fact]
    public async Task Two_hosts_sharing_a_store_fire_an_occurrence_once()
    {
        await using ScheduleRunner a = NewRunner("host-a");
        await using ScheduleRunner b = NewRunner("host-b");
        await a.SaveAsync(Hourly());
        Time.Advance(TimeSpan.FromHours(1));

        await Task.WhenAll(a.ProcessDueAsync(CancellationToken.None), b.ProcessDueAsync(CancellationToken.None));
        await a.WhenFiringsDoneAsync();
        await b.WhenFiringsDoneAsync();

        Assert.Single(Model.RunIds);
    }

    [Fact]
    public async Task Run_now_fires_at_once_without_moving_the_plan()
    {
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(Hourly() with { Enabled = true });

        RunResult result = await runner.RunNowAsync("hourly");

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.StartsWith("sched-hourly-manual-", result.RunId, StringComparison.Ordinal);
        Schedule state = (await Store.GetAsync("hourly"))!;
        Assert.Equal(T0.AddHours(1), state.NextFireAt);
        Assert.Equal(result.RunId, state.LastRunId);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => runner.RunNowAsync("missing"));
    }

    [Fact]
    public async Task Disabled_schedule_does_not_fire()
    {
        await using ScheduleRunner runner = NewRunner();
        Schedule saved = await runner.SaveAsync(Hourly() with { Enabled = false });
        Time.Advance(TimeSpan.FromHours(3));

        await ProcessAndDrainAsync(runner);

        Assert.Null(saved.NextFireAt);
        Assert.Equal(0, Model.Calls);
    }

    [Fact]
    public async Task Skill_target_runs_its_agent_with_the_skill_named()
    {
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(new Schedule("digest", "0 * * * *", ScheduleTarget.ForSkill("weekly-digest", "assistant", "for the team")));
        Time.Advance(TimeSpan.FromHours(1));

        await ProcessAndDrainAsync(runner);

        string input = Assert.Single(Model.Inputs);
        Assert.Contains("'weekly-digest'", input, StringComparison.Ordinal);
        Assert.EndsWith("for the team", input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_agent_records_a_failed_firing_and_the_schedule_moves_on()
    {
        await using ScheduleRunner runner = NewRunner();
        await runner.SaveAsync(new Schedule("ghost", "0 * * * *", ScheduleTarget.ForAgent("nobody", "x")));
        Time.Advance(TimeSpan.FromHours(1));

        await ProcessAndDrainAsync(runner);

        Schedule state = (await Store.GetAsync("ghost"))!;
        Assert.Equal(RunOutcome.Failed, state.LastOutcome);
        Assert.Equal(T0.AddHours(2), state.NextFireAt);
    }
}
