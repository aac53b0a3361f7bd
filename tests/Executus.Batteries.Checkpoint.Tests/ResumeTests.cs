using Executus.Auditing;
using Executus.Checkpoints;
using Executus.Identity;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using static Executus.Batteries.Checkpoint.Tests.TestRuns;

namespace Executus.Batteries.Checkpoint.Tests;

public class ResumeTests
{
    private static readonly CheckpointOptions EveryTurn = new() { MinInterval = TimeSpan.Zero };

    [Fact]
    public async Task A_resumed_run_ends_with_the_same_transcript_as_an_uninterrupted_one()
    {
        RunResult uninterrupted = await Executor(new DeterministicModel(steps: 4), TestRuns.Tools(), checkpointer: null).RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" });

        // Interrupted (shutdown) while the model answers step 2, then resumed by id in a "new process".
        var store = new InMemoryCheckpointStore();
        var model = new DeterministicModel(steps: 4, blockAtStep: 2);
        using var cts = new CancellationTokenSource();
        Task<RunResult> first = Executor(model, TestRuns.Tools(), new StoreCheckpointer(store, EveryTurn)).RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;
        await cts.CancelAsync();
        Assert.Equal(RunOutcome.Cancelled, (await first).Outcome);

        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        var recovery = new CheckpointRecovery(store, Executor(new DeterministicModel(steps: 4), TestRuns.Tools(), checkpointer), checkpointer: checkpointer);
        RunResult resumed = await recovery.ResumeAsync("r1");

        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal("r1", resumed.RunId);
        Assert.Equal(uninterrupted.Iterations, resumed.Iterations);
        Assert.Equal(uninterrupted.Usage.TotalTokenCount, resumed.Usage.TotalTokenCount);
        AssertSameTranscript(uninterrupted.Messages, resumed.Messages);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task An_in_flight_call_of_a_tool_not_safe_to_repeat_is_not_re_run_and_the_model_is_told()
    {
        var store = new InMemoryCheckpointStore();
        var killable = new KillableStore(store);
        int sends = 0;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tools = new ToolRegistry();
        tools.Register(
            AIFunctionFactory.Create(
                async (string to, CancellationToken ct) =>
                {
                    if (Interlocked.Increment(ref sends) == 1)
                    {
                        entered.TrySetResult();
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    }

                    return $"sent to {to}";
                },
                "send"),
            new ToolMetadata { SideEffect = SideEffect.External });
        Func<int, IReadOnlyList<ChatMessage>, ChatMessage> respond = (done, messages) => done == 0
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c0", "send", new Dictionary<string, object?> { ["to"] = "bob" })])
            : new ChatMessage(ChatRole.Assistant, messages[^1].Contents.OfType<FunctionResultContent>().Single().Result?.ToString()?.Contains("may or may not have taken effect", StringComparison.Ordinal) == true
                ? "I will check with bob before sending again."
                : "Sent.");

        // The process "dies" while the message is being sent.
        using var cts = new CancellationTokenSource();
        Task<RunResult> crashed = Executor(new DeterministicModel(respond), tools, new StoreCheckpointer(killable, EveryTurn))
            .RunAsync(new RunRequest(Agent("mailer", "send"), "tell bob") { RunId = "r1" }, cts.Token);
        await entered.Task;
        killable.Kill();
        RunCheckpoint inFlight = (await store.GetAsync("r1"))!;
        Assert.Equal(CheckpointBoundary.BeforeSideEffects, inFlight.Boundary);
        Assert.IsType<FunctionCallContent>(inFlight.Messages[^1].Contents.Single());

        var audit = new RecordingAudit();
        var recovery = new CheckpointRecovery(store, Executor(new DeterministicModel(respond), tools, new StoreCheckpointer(store, EveryTurn), audit));
        RunResult resumed = await recovery.ResumeAsync("r1");

        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal(1, sends);
        Assert.Equal(4, resumed.Messages.Count);
        FunctionResultContent told = Assert.IsType<FunctionResultContent>(resumed.Messages[2].Contents.Single());
        Assert.Equal("c0", told.CallId);
        Assert.Contains("interrupted", told.Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal("I will check with bob before sending again.", resumed.Text);
        AuditEvent interrupted = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.ToolCall);
        Assert.Equal("send", interrupted.ToolName);
        Assert.Equal("true", interrupted.Data["interrupted"]);
        Assert.Single(audit.Events, e => e.Kind == AuditEventKind.RunResumed);

        await cts.CancelAsync();
        Assert.Equal(RunOutcome.Cancelled, (await crashed).Outcome);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task An_in_flight_call_of_a_tool_safe_to_repeat_is_re_run_and_the_transcript_matches_an_uninterrupted_run()
    {
        int upserts = 0;
        bool block = true;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tools = new ToolRegistry();
        tools.Register(
            AIFunctionFactory.Create(
                async (int a, int b, CancellationToken ct) =>
                {
                    if (Interlocked.Increment(ref upserts) == 1 && block)
                    {
                        entered.TrySetResult();
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    }

                    return $"row {a} = {b}";
                },
                "upsert"),
            new ToolMetadata { SideEffect = SideEffect.Write, SafeToRepeat = true });

        block = false;
        RunResult uninterrupted = await Executor(new DeterministicModel(steps: 2, tool: "upsert"), tools, checkpointer: null)
            .RunAsync(new RunRequest(Agent("db", "upsert"), "go") { RunId = "r1" });
        (upserts, block) = (0, true);

        var store = new InMemoryCheckpointStore();
        var killable = new KillableStore(store);
        using var cts = new CancellationTokenSource();
        Task<RunResult> crashed = Executor(new DeterministicModel(steps: 2, tool: "upsert"), tools, new StoreCheckpointer(killable, EveryTurn))
            .RunAsync(new RunRequest(Agent("db", "upsert"), "go") { RunId = "r1" }, cts.Token);
        await entered.Task;
        killable.Kill();

        var recovery = new CheckpointRecovery(store, Executor(new DeterministicModel(steps: 2, tool: "upsert"), tools, new StoreCheckpointer(store, EveryTurn)));
        RunResult resumed = await recovery.ResumeAsync("r1");

        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal(3, upserts);
        AssertSameTranscript(uninterrupted.Messages, resumed.Messages);
        Assert.Equal(uninterrupted.Iterations, resumed.Iterations);

        await cts.CancelAsync();
        await crashed;
    }

    [Fact]
    public async Task The_agent_is_rebuilt_from_the_catalog_when_it_has_the_version_else_from_the_snapshot()
    {
        var catalog = new InMemoryAgentCatalog();
        catalog.Add(new RunnableAgent("writer") { Version = "2", Instructions = "NEW instructions", Tools = ["add"] });

        (RunResult fromCatalog, DeterministicModel catalogModel, RecordingAudit catalogAudit) = await ResumeAsync(Seed("r1", version: "2"), catalog);
        Assert.Equal(RunOutcome.Completed, fromCatalog.Outcome);
        Assert.Equal("NEW instructions", catalogModel.Instructions.Single());
        Assert.Equal("catalog", ResumedData(catalogAudit)[CheckpointRecovery.AgentSourceMetadataKey]);

        (RunResult fromSnapshot, DeterministicModel snapshotModel, RecordingAudit snapshotAudit) = await ResumeAsync(Seed("r2", version: "1"), catalog);
        Assert.Equal(RunOutcome.Completed, fromSnapshot.Outcome);
        Assert.Equal("OLD instructions", snapshotModel.Instructions.Single());
        Assert.Equal("snapshot", ResumedData(snapshotAudit)[CheckpointRecovery.AgentSourceMetadataKey]);

        (_, DeterministicModel noCatalogModel, RecordingAudit noCatalogAudit) = await ResumeAsync(Seed("r3", version: "2"), catalog: null);
        Assert.Equal("OLD instructions", noCatalogModel.Instructions.Single());
        Assert.Equal("snapshot", ResumedData(noCatalogAudit)[CheckpointRecovery.AgentSourceMetadataKey]);
        Assert.Equal("c1", ResumedData(noCatalogAudit)["channel"]);
    }

    [Fact]
    public async Task Resuming_an_unknown_or_live_run_is_refused_clearly()
    {
        var store = new InMemoryCheckpointStore();
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        var model = new DeterministicModel(steps: 3, blockAtStep: 1);
        Executor executor = Executor(model, TestRuns.Tools(), checkpointer);
        var recovery = new CheckpointRecovery(store, executor, checkpointer: checkpointer);

        CheckpointNotFoundException missing = await Assert.ThrowsAsync<CheckpointNotFoundException>(() => recovery.ResumeAsync("nope"));
        Assert.Equal("nope", missing.RunId);
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        Assert.False(await recovery.AbandonAsync("nope", "test"));

        using var cts = new CancellationTokenSource();
        Task<RunResult> live = executor.RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await model.Blocked.Task;
        InvalidOperationException twice = await Assert.ThrowsAsync<InvalidOperationException>(() => recovery.ResumeAsync("r1"));
        Assert.Contains("'r1'", twice.Message, StringComparison.Ordinal);
        await cts.CancelAsync();
        await live;
    }

    internal static RunCheckpoint Seed(string runId, string? version = "1", string agent = "writer") => new()
    {
        RunId = runId,
        Agent = AgentSnapshot.From(new RunnableAgent(agent) { Version = version, Instructions = "OLD instructions", Tools = ["add"], MaxIterations = 50 }),
        Caller = new CallerIdentity("u1", "User One", "t1"),
        Messages =
        [
            new ChatMessage(ChatRole.User, "go"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c0", "add", new Dictionary<string, object?> { ["a"] = 0, ["b"] = 1 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c0", 1)]),
        ],
        Iteration = 1,
        Metadata = new Dictionary<string, string> { ["channel"] = "c1" },
        SavedAt = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero),
    };

    private static async Task<(RunResult Result, DeterministicModel Model, RecordingAudit Audit)> ResumeAsync(RunCheckpoint checkpoint, IAgentCatalog? catalog)
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(checkpoint, 0);
        var model = new DeterministicModel(steps: 1);
        var audit = new RecordingAudit();
        var recovery = new CheckpointRecovery(store, Executor(model, TestRuns.Tools(), new StoreCheckpointer(store, EveryTurn), audit), catalog);
        return (await recovery.ResumeAsync(checkpoint.RunId), model, audit);
    }

    private static IReadOnlyDictionary<string, string> ResumedData(RecordingAudit audit) =>
        Assert.Single(audit.Events, e => e.Kind == AuditEventKind.RunResumed).Data;
}
