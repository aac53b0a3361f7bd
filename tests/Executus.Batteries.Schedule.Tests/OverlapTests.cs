namespace Executus.Schedules.Tests;

public sealed class OverlapTests : ScheduleTestBase
{
    private static Schedule EveryMinute(OverlapPolicy overlap) =>
        new("minutely", "* * * * *", ScheduleTarget.ForAgent("reporter", "tick")) { Overlap = overlap };

    private async Task<ScheduleRunner> StartLongFiringAsync(OverlapPolicy overlap)
    {
        ScheduleRunner runner = NewRunner(configure: o => o.LeaseDuration = TimeSpan.FromMinutes(10));
        await runner.SaveAsync(EveryMinute(overlap));
        Model.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Time.Advance(TimeSpan.FromMinutes(1));
        await runner.ProcessDueAsync(CancellationToken.None);
        await Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return runner;
    }

    private async Task DueAgainAsync(ScheduleRunner runner, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await runner.ProcessDueAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Skip_drops_firings_while_the_previous_one_runs()
    {
        await using ScheduleRunner runner = await StartLongFiringAsync(OverlapPolicy.Skip);
        await DueAgainAsync(runner, 2);

        Model.Gate!.SetResult();
        await runner.WhenFiringsDoneAsync();

        Assert.Equal(["sched-minutely-20261101T120100Z"], Model.RunIds);
        Assert.Equal(T0.AddMinutes(4), (await Store.GetAsync("minutely"))!.NextFireAt);
    }

    [Fact]
    public async Task Queue_one_keeps_one_firing_waiting_and_drops_the_rest()
    {
        await using ScheduleRunner runner = await StartLongFiringAsync(OverlapPolicy.QueueOne);
        await DueAgainAsync(runner, 2);
        Assert.Equal(1, Model.Calls);

        Model.Gate!.SetResult();
        await runner.WhenFiringsDoneAsync();

        Assert.Equal(["sched-minutely-20261101T120100Z", "sched-minutely-20261101T120200Z"], Model.RunIds);
        Assert.Equal(1, Model.MaxRunning);
    }

    [Fact]
    public async Task Allow_runs_firings_side_by_side()
    {
        await using ScheduleRunner runner = await StartLongFiringAsync(OverlapPolicy.Allow);
        Model.ResetEntered();
        await DueAgainAsync(runner, 1);
        await Model.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (Volatile.Read(ref Model.Running) < 2)
        {
            await Task.Yield();
        }

        Model.Gate!.SetResult();
        await runner.WhenFiringsDoneAsync();

        Assert.Equal(2, Model.Calls);
        Assert.Equal(2, Model.MaxRunning);
    }

    [Fact]
    public async Task Running_firing_keeps_the_lease_so_another_host_cannot_overlap_it()
    {
        await using ScheduleRunner runner = await StartLongFiringAsync(OverlapPolicy.Skip);
        await using ScheduleRunner other = NewRunner("host-b");
        Time.Advance(TimeSpan.FromMinutes(1));

        await other.ProcessDueAsync(CancellationToken.None);
        await other.WhenFiringsDoneAsync();
        Assert.Equal(1, Model.Calls);
        Assert.Equal(T0.AddMinutes(2), (await Store.GetAsync("minutely"))!.NextFireAt);
        Assert.Null(await Store.TryAcquireLeaseAsync("minutely", "host-c", Time.GetUtcNow(), TimeSpan.FromSeconds(1)));

        Model.Gate!.SetResult();
        await runner.WhenFiringsDoneAsync();
        Assert.NotNull(await Store.TryAcquireLeaseAsync("minutely", "host-c", Time.GetUtcNow(), TimeSpan.FromSeconds(1)));
    }
}
