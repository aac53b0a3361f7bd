using Executus.Checkpoints;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Executus.Batteries.Checkpoint.Tests.TestRuns;

namespace Executus.Batteries.Checkpoint.Tests;

public class StoreCheckpointerTests
{
    private static readonly CheckpointOptions EveryTurn = new() { MinInterval = TimeSpan.Zero };

    [Fact]
    public async Task Save_then_complete_clears_the_candidate()
    {
        var store = new InMemoryCheckpointStore();
        var seen = new List<int>();
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        RunResult result = await Executor(new DeterministicModel(steps: 2), TestRuns.Tools(_ => seen.Add(store.Count)), checkpointer).RunAsync(new RunRequest(Agent(), "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([0, 1], seen);
        Assert.Equal(2, checkpointer.WrittenSaves);
        Assert.Equal(0, store.Count);
        Assert.False(checkpointer.IsLive(result.RunId));
    }

    [Fact]
    public async Task A_run_id_saved_again_after_its_run_ended_starts_a_fresh_state()
    {
        // The checkpointer remembers the last run's state by its id string; one that ended must not be reused from there.
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, new CheckpointOptions { MinInterval = TimeSpan.FromHours(1) });
        RunCheckpoint first = ResumeTests.Seed("same-id") with { Boundary = CheckpointBoundary.Turn };
        await checkpointer.SaveAsync(first, 0);
        await checkpointer.SaveAsync(first with { Iteration = 2, SavedAt = first.SavedAt.AddSeconds(1) }, 3);
        Assert.Equal((1L, 1), (checkpointer.WrittenSaves, store.Count));

        await checkpointer.CompleteAsync(first.RunId);
        Assert.Equal(0, store.Count);
        Assert.False(checkpointer.IsLive(first.RunId));

        // Within the hour of the first run's write: a stale state would skip this save as throttled.
        await checkpointer.SaveAsync(first with { Iteration = 3, SavedAt = first.SavedAt.AddSeconds(2) }, 0);
        Assert.Equal((2L, 1), (checkpointer.WrittenSaves, store.Count));
        Assert.Equal(3, (await store.GetAsync(first.RunId))!.Iteration);
        Assert.True(checkpointer.IsLive(first.RunId));
    }

    [Fact]
    public async Task Fail_clears_the_candidate()
    {
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        RunResult result = await Executor(new DeterministicModel(steps: 5), TestRuns.Tools(), checkpointer).RunAsync(new RunRequest(Agent() with { MaxIterations = 2 }, "go"));

        Assert.Equal(RunOutcome.MaxIterations, result.Outcome);
        Assert.Equal(2, checkpointer.WrittenSaves);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Cancel_keeps_the_candidate()
    {
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        var model = new DeterministicModel(steps: 5, blockAtStep: 1);
        Executor executor = Executor(model, TestRuns.Tools(), checkpointer);
        using var cts = new CancellationTokenSource();

        Task<RunResult> run = executor.RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;
        Assert.True(checkpointer.IsLive("r1"));
        Assert.Empty((await new CheckpointRecovery(store, executor, checkpointer: checkpointer).ListInterruptedAsync()).Items);
        await cts.CancelAsync();
        RunResult result = await run;

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        RunCheckpoint kept = (await store.GetAsync("r1"))!;
        Assert.Equal(CheckpointBoundary.RunEnd, kept.Boundary);
        Assert.Equal(3, kept.Messages.Count);
        Assert.Equal(1, kept.Iteration);
        Assert.False(checkpointer.IsLive("r1"));
        CheckpointSummary listed = Assert.Single((await new CheckpointRecovery(store, executor, checkpointer: checkpointer).ListInterruptedAsync()).Items);
        Assert.Equal("r1", listed.RunId);
    }

    [Fact]
    public async Task Throttle_skips_in_window_turns_but_writes_before_a_side_effect_and_at_flush()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, new CheckpointOptions { MinInterval = TimeSpan.FromSeconds(2) }, time);
        RunCheckpoint? seenByWrite = null;
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            (int a) =>
            {
                if (a == 2)
                {
                    time.Advance(TimeSpan.FromSeconds(2));
                }

                return "looked";
            },
            "look"));
        tools.Register(
            AIFunctionFactory.Create(
                async () =>
                {
                    seenByWrite = await store.GetAsync("r1");
                    return "written";
                },
                "write"),
            new ToolMetadata { SideEffect = SideEffect.Write });

        // Steps 0-3 look (time moves 2 s during step 2), step 4 writes, step 5 looks, then the model blocks.
        var model = new DeterministicModel(
            (done, _) => done switch
            {
                < 4 or 5 => new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{done}", "look", new Dictionary<string, object?> { ["a"] = done })]),
                4 => new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{done}", "write")]),
                _ => new ChatMessage(ChatRole.Assistant, "done"),
            },
            blockAtStep: 6);
        using var cts = new CancellationTokenSource();
        Task<RunResult> run = Executor(model, tools, checkpointer, time: time).RunAsync(new RunRequest(Agent("t", "look", "write"), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;

        // Written: turn 0 (first), turn 2 (interval passed), before the write. Skipped: turns 1, 3, 4, 5.
        Assert.Equal(3, checkpointer.WrittenSaves);
        Assert.Equal(4, checkpointer.SkippedSaves);
        Assert.NotNull(seenByWrite);
        Assert.Equal(CheckpointBoundary.BeforeSideEffects, seenByWrite.Boundary);
        Assert.Equal(10, seenByWrite.Messages.Count);
        Assert.Equal("write", Assert.IsType<FunctionCallContent>(seenByWrite.Messages[^1].Contents.Single()).Name);
        Assert.Equal(10, (await store.GetAsync("r1"))!.Messages.Count);

        // Shutdown: the pending latest state (after turn 5) is written.
        Assert.Equal(1, await checkpointer.FlushAsync());
        Assert.Equal(13, (await store.GetAsync("r1"))!.Messages.Count);
        Assert.Equal(0, await checkpointer.FlushAsync());

        await cts.CancelAsync();
        Assert.Equal(RunOutcome.Cancelled, (await run).Outcome);
        RunCheckpoint last = (await store.GetAsync("r1"))!;
        Assert.Equal(13, last.Messages.Count);
        Assert.Equal(CheckpointBoundary.RunEnd, last.Boundary);
    }

    [Fact]
    public async Task Dispose_flushes_pending_state()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, new CheckpointOptions { MinInterval = TimeSpan.FromMinutes(1) }, time);
        var model = new DeterministicModel(steps: 5, blockAtStep: 2);
        using var cts = new CancellationTokenSource();
        Task<RunResult> run = Executor(model, TestRuns.Tools(), checkpointer, time: time).RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;
        Assert.Equal(3, (await store.GetAsync("r1"))!.Messages.Count);

        await checkpointer.DisposeAsync();
        Assert.Equal(5, (await store.GetAsync("r1"))!.Messages.Count);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Storage_grows_linearly_over_a_200_iteration_run()
    {
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        var writtenAtStep = new long[200];
        var model = new DeterministicModel(steps: 200, blockAtStep: 200);
        using var cts = new CancellationTokenSource();
        Task<RunResult> run = Executor(model, TestRuns.Tools(step => writtenAtStep[step] = store.MessagesWritten), checkpointer)
            .RunAsync(new RunRequest(Agent(), "go") { RunId = "long" }, cts.Token);
        await model.Blocked.Task;

        long firstHalf = writtenAtStep[100] - writtenAtStep[1];
        long secondHalf = writtenAtStep[199] - writtenAtStep[100];

        // Quadratic storage (the whole transcript per save) would make the second half ~3x the first.
        Assert.InRange((double)secondHalf / firstHalf, 0.8, 1.25);
        Assert.Equal(200, checkpointer.WrittenSaves);
        RunCheckpoint stored = (await store.GetAsync("long"))!;
        Assert.Equal(401, stored.Messages.Count);

        // Each message was stored exactly once over 200 saves.
        Assert.Equal(401, store.MessagesWritten);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_store_that_throws_never_ends_the_run_and_is_logged_and_counted()
    {
        var store = new FailingStore(new InMemoryCheckpointStore());
        var logger = new CapturingLogger<StoreCheckpointer>();
        var checkpointer = new StoreCheckpointer(store, EveryTurn, logger: logger);

        RunResult result = await Executor(new DeterministicModel(steps: 3), TestRuns.Tools(), checkpointer).RunAsync(new RunRequest(Agent(), "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("done after 3 steps", result.Text);
        Assert.Equal(4, checkpointer.FailedWrites);
        Assert.Equal(0, checkpointer.WrittenSaves);
        Assert.Equal(4, logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Error is InvalidOperationException));
    }

    [Fact]
    public async Task After_failed_writes_the_next_write_stores_the_whole_state()
    {
        var inner = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(new FailingStore(inner, failures: 2), EveryTurn);
        var model = new DeterministicModel(steps: 5, blockAtStep: 3);
        using var cts = new CancellationTokenSource();
        Task<RunResult> run = Executor(model, TestRuns.Tools(), checkpointer).RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;

        Assert.Equal(2, checkpointer.FailedWrites);
        Assert.Equal(1, checkpointer.WrittenSaves);
        RunCheckpoint stored = (await inner.GetAsync("r1"))!;
        await cts.CancelAsync();
        RunResult result = await run;
        AssertSameTranscript([.. result.Messages.Take(7)], stored.Messages);
    }

    [Fact]
    public void Options_come_from_configuration()
    {
        var config = new Configuration.InMemoryConfigSource([new("Executus:Checkpoint:MinInterval", "500ms")]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), CheckpointOptions.FromConfig(config).MinInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), CheckpointOptions.FromConfig(new Configuration.InMemoryConfigSource()).MinInterval);
        Assert.Throws<Configuration.ConfigException>(() => CheckpointOptions.FromConfig(new Configuration.InMemoryConfigSource([new("Executus:Checkpoint:MinInterval", "soon")])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreCheckpointer(new InMemoryCheckpointStore(), new CheckpointOptions { MinInterval = TimeSpan.FromSeconds(-1) }));
    }
}
