using System.Threading.Channels;
using Executus.Lanes;
using static Executus.Core.Tests.Lanes.LaneTestHelpers;

namespace Executus.Core.Tests.Lanes;

public sealed class LaneTests
{
    private static Lane NewLane(int maxConcurrency = 2, int maxQueued = 100, int maxPerKey = 0, LaneShutdownMode shutdown = LaneShutdownMode.Drain) =>
        new($"test-{Guid.NewGuid():N}", new LaneOptions
        {
            MaxConcurrency = maxConcurrency,
            MaxQueued = maxQueued,
            MaxPerKey = maxPerKey,
            ShutdownMode = shutdown,
        });

    [Fact]
    public async Task RunAsync_returns_the_jobs_result()
    {
        await using Lane lane = NewLane();
        int value = await lane.RunAsync("a", _ => Task.FromResult(42));
        Assert.Equal(42, value);
        await lane.RunAsync("a", _ => Task.CompletedTask);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal(2, stats.Submitted);
        Assert.Equal(2, stats.Completed);
    }

    [Fact]
    public async Task Minority_tenant_starts_in_the_next_free_slots_after_a_flood()
    {
        Lane lane = NewLane(maxConcurrency: 4, maxQueued: 2_000);
        using var gate = new SemaphoreSlim(0);
        Channel<string> starts = NewStarts();
        var tasks = new List<Task<string>>();
        for (int i = 0; i < 1_000; i++)
        {
            tasks.Add(await lane.SubmitAsync("A", Gated("A", gate, starts.Writer)));
        }

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("A", await starts.NextAsync());
        }

        Assert.Equal(996, lane.GetStatistics().Queued);
        for (int i = 0; i < 3; i++)
        {
            tasks.Add(await lane.SubmitAsync("B", Gated("B", gate, starts.Writer)));
        }

        // Each release ends one job and frees one slot; B's three jobs take three of the next five slots
        // (B first as a newly active key, then strict alternation with A).
        var next = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            gate.Release();
            next.Add(await starts.NextAsync());
        }

        Assert.Equal(["B", "A", "B", "A", "B", "A"], next);

        Task shutdown = lane.ShutdownAsync(LaneShutdownMode.CancelQueued);
        gate.Release(10);
        await shutdown.WaitAsync(Safety);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal(1_003, stats.Submitted);
        Assert.Equal(stats.Submitted, stats.Completed + stats.Cancelled);
        Assert.Equal(10, stats.Completed);
    }

    [Fact]
    public async Task Per_key_cap_limits_one_key_while_others_use_free_slots()
    {
        await using Lane lane = NewLane(maxConcurrency: 4, maxPerKey: 1);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        var tasks = new List<Task<string>>();
        for (int i = 0; i < 3; i++)
        {
            tasks.Add(lane.RunAsync("A", Held("A", release.Task, starts.Writer)));
            tasks.Add(lane.RunAsync("B", Held("B", release.Task, starts.Writer)));
        }

        var first = new HashSet<string> { await starts.NextAsync(), await starts.NextAsync() };
        Assert.Equal(["A", "B"], first.Order());
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal(2, stats.Running);
        Assert.Equal(4, stats.Queued);

        release.SetResult();
        await Task.WhenAll(tasks).WaitAsync(Safety);
        Assert.Equal(6, lane.GetStatistics().Completed);
    }

    [Fact]
    public async Task Running_jobs_never_exceed_MaxConcurrency()
    {
        await using Lane lane = NewLane(maxConcurrency: 3, maxQueued: 1_000);
        int running = 0;
        int peak = 0;
        var tasks = new List<Task>();
        for (int i = 0; i < 300; i++)
        {
            tasks.Add(lane.RunAsync($"k{i % 7}", async _ =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Yield();
                Interlocked.Decrement(ref running);
            }));
        }

        await Task.WhenAll(tasks).WaitAsync(Safety);
        Assert.InRange(peak, 1, 3);
    }

    [Fact]
    public async Task FailFast_submission_to_a_full_lane_throws_LaneFullException()
    {
        await using Lane lane = NewLane(maxConcurrency: 1, maxQueued: 1);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        Task<string> running = lane.RunAsync("a", Held("1", release.Task, starts.Writer));
        Task<string> queued = lane.RunAsync("a", Held("2", release.Task, starts.Writer));

        LaneFullException ex = await Assert.ThrowsAsync<LaneFullException>(
            () => lane.RunAsync("b", _ => Task.FromResult("3"), LaneSubmitMode.FailFast));
        Assert.Equal(lane.Name, ex.LaneName);
        Assert.Equal(1, ex.MaxQueued);
        Assert.Contains(lane.Name, ex.Message, StringComparison.Ordinal);

        release.SetResult();
        Assert.Equal(["1", "2"], await Task.WhenAll(running, queued));
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal(3, stats.Submitted);
        Assert.Equal(1, stats.Rejected);
        Assert.Equal(2, stats.Completed);
    }

    [Fact]
    public async Task Wait_submission_to_a_full_lane_applies_back_pressure_until_room()
    {
        await using Lane lane = NewLane(maxConcurrency: 1, maxQueued: 1);
        using var gate = new SemaphoreSlim(0);
        Channel<string> starts = NewStarts();
        Task<string> first = await lane.SubmitAsync("a", Gated("1", gate, starts.Writer));
        Task<string> second = await lane.SubmitAsync("a", Gated("2", gate, starts.Writer));
        Assert.Equal("1", await starts.NextAsync());

        ValueTask<Task<string>> third = lane.SubmitAsync("b", Gated("3", gate, starts.Writer), LaneSubmitMode.Wait);
        Assert.False(third.IsCompleted);
        Assert.Equal(1, lane.GetStatistics().Waiting);

        gate.Release();
        Assert.Equal("1", await first);
        Assert.Equal("2", await starts.NextAsync());
        Task<string> thirdResult = await third.AsTask().WaitAsync(Safety);
        Assert.Equal(1, lane.GetStatistics().Queued);

        gate.Release(2);
        Assert.Equal("2", await second);
        Assert.Equal("3", await thirdResult);
    }

    [Fact]
    public async Task Cancelling_a_back_pressured_submission_removes_it()
    {
        await using Lane lane = NewLane(maxConcurrency: 1, maxQueued: 0);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        Task<string> running = lane.RunAsync("a", Held("1", release.Task, starts.Writer));
        using var cts = new CancellationTokenSource();
        bool ran = false;
        Task<string> waiting = lane.RunAsync("b", _ => { ran = true; return Task.FromResult("2"); }, LaneSubmitMode.Wait, cts.Token);
        Assert.Equal(1, lane.GetStatistics().Waiting);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(waiting.IsCanceled);
        Assert.Equal(0, lane.GetStatistics().Waiting);

        release.SetResult();
        await running;
        Assert.False(ran);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal((2, 1, 1), (stats.Submitted, stats.Completed, stats.Cancelled));
    }

    [Fact]
    public async Task Cancelling_a_queued_job_removes_it_and_the_next_job_runs()
    {
        await using Lane lane = NewLane(maxConcurrency: 1);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        Task<string> running = lane.RunAsync("a", Held("1", release.Task, starts.Writer));
        using var cts = new CancellationTokenSource();
        Task<string> cancelled = lane.RunAsync("a", Held("2", release.Task, starts.Writer), cancellationToken: cts.Token);
        Task<string> after = lane.RunAsync("a", Held("3", release.Task, starts.Writer));
        Assert.Equal("1", await starts.NextAsync());
        Assert.Equal(2, lane.GetStatistics().Queued);

        await cts.CancelAsync();
        Assert.Equal(TaskStatus.Canceled, (await Task.WhenAny(cancelled)).Status);
        Assert.Equal(1, lane.GetStatistics().Queued);

        release.SetResult();
        Assert.Equal("1", await running);
        Assert.Equal("3", await after);
        Assert.Equal("3", await starts.NextAsync());
        Assert.False(starts.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Cancelling_a_running_job_cancels_its_task()
    {
        await using Lane lane = NewLane(maxConcurrency: 1);
        Channel<string> starts = NewStarts();
        using var cts = new CancellationTokenSource();
        Task<string> job = lane.RunAsync("a", Held("1", Task.Delay(Timeout.Infinite, CancellationToken.None), starts.Writer), cancellationToken: cts.Token);
        await starts.NextAsync();
        Assert.Equal(1, lane.GetStatistics().Running);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Assert.True(job.IsCanceled);
        Assert.Equal("ok", await lane.RunAsync("a", _ => Task.FromResult("ok")));
        Assert.Equal(1, lane.GetStatistics().Cancelled);
    }

    [Fact]
    public async Task Already_cancelled_token_cancels_without_running()
    {
        await using Lane lane = NewLane();
        bool ran = false;
        Task<int> job = lane.RunAsync("a", _ => { ran = true; return Task.FromResult(1); }, cancellationToken: new CancellationToken(true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Assert.False(ran);
        Assert.Equal(1, lane.GetStatistics().Cancelled);
    }

    [Fact]
    public async Task A_throwing_job_faults_only_its_own_task_and_the_lane_keeps_working()
    {
        await using Lane lane = NewLane(maxConcurrency: 1);
        var boom = new InvalidOperationException("boom");
        Task<int> sync = lane.RunAsync<int>("a", _ => throw boom);
        Task<int> async = lane.RunAsync<int>("a", async _ => { await Task.Yield(); throw new FormatException("later"); });
        Task<int> fine = lane.RunAsync("a", _ => Task.FromResult(7));

        Assert.Same(boom, await Assert.ThrowsAsync<InvalidOperationException>(() => sync));
        Assert.Equal("later", (await Assert.ThrowsAsync<FormatException>(() => async)).Message);
        Assert.Equal(7, await fine);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal((3, 1, 2), (stats.Submitted, stats.Completed, stats.Failed));
    }

    [Fact]
    public async Task An_OperationCanceledException_not_from_the_token_is_a_failure()
    {
        await using Lane lane = NewLane();
        Task<int> job = lane.RunAsync<int>("a", _ => throw new OperationCanceledException("own timeout"));
        await Assert.ThrowsAsync<OperationCanceledException>(() => job);
        Assert.True(job.IsFaulted);
        Assert.Equal(1, lane.GetStatistics().Failed);
    }

    [Fact]
    public async Task Shutdown_drain_finishes_running_and_queued_work_and_refuses_new_jobs()
    {
        Lane lane = NewLane(maxConcurrency: 1, maxQueued: 1);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        Task<string> running = lane.RunAsync("a", Held("1", release.Task, starts.Writer));
        Task<string> queued = lane.RunAsync("a", Held("2", release.Task, starts.Writer));
        Task<string> waiting = lane.RunAsync("a", Held("3", release.Task, starts.Writer), LaneSubmitMode.Wait);
        await starts.NextAsync();

        Task shutdown = lane.ShutdownAsync(LaneShutdownMode.Drain);
        Assert.True(lane.IsClosed);
        await Assert.ThrowsAsync<LaneClosedException>(() => waiting);
        LaneClosedException closed = await Assert.ThrowsAsync<LaneClosedException>(() => lane.RunAsync("b", _ => Task.FromResult("4")));
        Assert.Equal(lane.Name, closed.LaneName);
        Assert.False(shutdown.IsCompleted);

        release.SetResult();
        await shutdown.WaitAsync(Safety);
        Assert.Equal("1", await running);
        Assert.Equal("2", await queued);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal((4, 2, 2, 0, 0), (stats.Submitted, stats.Completed, stats.Rejected, stats.Queued, stats.Running));
    }

    [Fact]
    public async Task Shutdown_cancel_cancels_queued_work_but_lets_running_work_finish()
    {
        Lane lane = NewLane(maxConcurrency: 1, shutdown: LaneShutdownMode.CancelQueued);
        var release = new TaskCompletionSource();
        Channel<string> starts = NewStarts();
        Task<string> running = lane.RunAsync("a", Held("1", release.Task, starts.Writer));
        Task<string> queued = lane.RunAsync("b", Held("2", release.Task, starts.Writer));
        await starts.NextAsync();

        ValueTask dispose = lane.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.True(queued.IsCanceled);
        Assert.False(dispose.IsCompleted);
        Assert.False(running.IsCompleted);

        release.SetResult();
        await dispose.AsTask().WaitAsync(Safety);
        Assert.Equal("1", await running);
        Assert.False(starts.Reader.TryRead(out _));
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal((2, 1, 1), (stats.Submitted, stats.Completed, stats.Cancelled));
    }

    [Fact]
    public async Task Shutdown_of_an_idle_lane_completes_at_once()
    {
        Lane lane = NewLane();
        await lane.ShutdownAsync().WaitAsync(Safety);
        await lane.ShutdownAsync(LaneShutdownMode.CancelQueued).WaitAsync(Safety);
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(1, -1, 0)]
    [InlineData(1, 1, -1)]
    public void Constructor_rejects_out_of_range_limits(int maxConcurrency, int maxQueued, int maxPerKey)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lane("x", new LaneOptions
        {
            MaxConcurrency = maxConcurrency,
            MaxQueued = maxQueued,
            MaxPerKey = maxPerKey,
        }));
    }

    [Fact]
    public async Task Arguments_are_checked()
    {
        await using Lane lane = NewLane();
        Assert.Throws<ArgumentException>(() => new Lane(" "));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await lane.SubmitAsync<int>(null!, _ => Task.FromResult(1)));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await lane.SubmitAsync<int>("a", null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await lane.SubmitAsync("a", _ => Task.FromResult(1), (LaneSubmitMode)9));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
