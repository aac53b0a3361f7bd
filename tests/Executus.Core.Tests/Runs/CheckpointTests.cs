using System.Text.Json;
using Executus.Auditing;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Runs;

public class CheckpointTests
{
    private static readonly UsageDetails Ten = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };

    private static ToolRegistry Tools()
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        tools.Register(AIFunctionFactory.Create(
            (string phase) =>
            {
                RunContext.Current!.ActivePhase = phase;
                return "ok";
            },
            "phase"));
        return tools;
    }

    private static Executor Create(IChatClient model, RunPorts ports, TimeProvider? time = null) =>
        new(new FixedModelResolver(model), Tools(), ports, timeProvider: time);

    [Fact]
    public async Task A_checkpoint_of_a_real_transcript_round_trips_through_System_Text_Json()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("phase", new { phase = "review" }, usage: Ten)
            .Reply(new ChatResponse(new ChatMessage(ChatRole.Assistant,
                [
                    new TextReasoningContent("thinking about it") { ProtectedData = "opaque" },
                    new TextContent("done"),
                    new DataContent(new byte[] { 1, 2, 3 }, "image/png") { Name = "chart.png" },
                    new UsageContent(Ten),
                ]))
            { FinishReason = ChatFinishReason.Stop, Usage = Ten });
        var checkpoints = new RecordingCheckpointer();
        var agent = new RunnableAgent("reviewer")
        {
            Version = "3",
            Tools = ["phase"],
            Instructions = "Review.",
            Tier = "smart",
            Timeout = TimeSpan.FromMinutes(5),
            ResponseFormat = ChatResponseFormat.Json,
            ChatOptions = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 512, StopSequences = ["END"], AdditionalProperties = new() { ["reasoning_effort"] = "low" } },
            Metadata = new Dictionary<string, string> { ["team"] = "a" },
        };
        var request = new RunRequest(agent, "review this")
        {
            Caller = new CallerIdentity("u1", "User One", "t1", roles: ["admin"], scopes: ["repo:read"], attributes: [new("locale", "fr")]),
            Attachments = [new DataContent(new byte[] { 9, 9 }, "application/pdf") { Name = "spec.pdf" }],
            Metadata = new Dictionary<string, string> { ["channel"] = "c1" },
            Detached = true,
        };

        RunResult result = await Create(model, new RunPorts { Checkpointer = checkpoints }).RunAsync(request);
        RunCheckpoint saved = checkpoints.Saves.Single() with { Messages = result.Messages, Usage = result.Usage };

        string json = JsonSerializer.Serialize(saved, AIJsonUtilities.DefaultOptions);
        RunCheckpoint back = JsonSerializer.Deserialize<RunCheckpoint>(json, AIJsonUtilities.DefaultOptions)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, AIJsonUtilities.DefaultOptions));
        Assert.Equal(RunCheckpoint.CurrentSchemaVersion, back.SchemaVersion);
        Assert.Equal(result.RunId, back.RunId);
        Assert.Equal("review", back.ActivePhase);
        Assert.True(back.Detached);
        Assert.Equal("c1", back.Metadata["channel"]);
        Assert.Equal(request.Caller, back.Caller);
        Assert.Equal("3", back.Agent.Version);
        Assert.Equal(0.2f, back.Agent.Temperature);
        Assert.Equal(["END"], back.Agent.StopSequences);
        Assert.IsType<ChatResponseFormatJson>(back.Agent.ResponseFormat);
        Assert.Equal(20, back.Usage.TotalTokenCount);
        Assert.Equal(1, back.Iteration);
        Assert.Equal(result.Messages.Count, back.Messages.Count);
        Assert.IsType<DataContent>(back.Messages[0].Contents[1]);
        Assert.IsType<FunctionCallContent>(back.Messages[1].Contents.Single());
        FunctionResultContent toolResult = Assert.IsType<FunctionResultContent>(back.Messages[2].Contents.Single());
        Assert.Equal("ok", toolResult.Result?.ToString());
        ChatMessage last = back.Messages[^1];
        Assert.Equal("thinking about it", Assert.IsType<TextReasoningContent>(last.Contents[0]).Text);
        Assert.Equal("done", Assert.IsType<TextContent>(last.Contents[1]).Text);
        Assert.Equal([1, 2, 3], Assert.IsType<DataContent>(last.Contents[2]).Data.ToArray());
        Assert.Equal(10, Assert.IsType<UsageContent>(last.Contents[3]).Details.TotalTokenCount);

        RunnableAgent rebuilt = back.Agent.ToRunnable();
        Assert.Equal(512, rebuilt.ChatOptions?.MaxOutputTokens);
        Assert.Equal("smart", rebuilt.Tier);
        Assert.Equal(TimeSpan.FromMinutes(5), rebuilt.Timeout);
    }

    [Fact]
    public async Task A_run_the_critic_pauses_keeps_its_checkpoint_marked_paused_and_is_not_delivered()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("add", new { a = 1, b = 2 })
            .ReplyText("never reached");
        var checkpoints = new RecordingCheckpointer();
        var delivery = new RecordingDelivery();
        var critic = new ScriptedCritic(r => r.Iteration >= 1 ? CriticVerdict.Pause("ask the owner") : CriticVerdict.Continue);

        RunResult result = await Create(model, new RunPorts { Checkpointer = checkpoints, Critic = critic, Delivery = delivery })
            .RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "go"));

        Assert.Equal((RunOutcome.Paused, "ask the owner", 1), (result.Outcome, result.StopReason, result.Iterations));
        RunCheckpoint last = checkpoints.Saves.Last();
        Assert.Equal((CheckpointBoundary.RunEnd, "ask the owner"), (last.Boundary, last.PausedReason));
        Assert.All(checkpoints.Saves.SkipLast(1), c => Assert.Null(c.PausedReason));
        Assert.DoesNotContain(checkpoints.Log, l => l.StartsWith("fail", StringComparison.Ordinal) || l == "complete");
        Assert.Empty(delivery.Deliveries);
        Assert.Throws<ArgumentException>(() => CriticVerdict.Pause(" "));
    }

    [Fact]
    public async Task Save_is_told_how_many_leading_messages_it_already_has()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ReplyToolCall("add", new { a = 3, b = 4 }).ReplyText("done");
        var checkpoints = new RecordingCheckpointer();

        await Create(model, new RunPorts { Checkpointer = checkpoints }).RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "go"));

        Assert.Equal([0, 3], checkpoints.SavedCounts);
        Assert.Equal([3, 5], checkpoints.Saves.Select(s => s.Messages.Count));
    }

    [Fact]
    public async Task Resume_restores_usage_phase_and_the_remaining_time()
    {
        var time = new FakeTimeProvider();
        var checkpoints = new RecordingCheckpointer();
        using var first = new ScriptedChatClient(timeProvider: time).ReplyToolCall("phase", new { phase = "draft" }, usage: Ten).ReplyText("late").WithDelay(TimeSpan.FromSeconds(40));
        var agent = new RunnableAgent("writer") { Tools = ["phase"], Timeout = TimeSpan.FromSeconds(60) };
        using var cts = new CancellationTokenSource();

        Task<RunResult> interrupted = Create(first, new RunPorts { Checkpointer = checkpoints }, time).RunAsync(new RunRequest(agent, "go"), cts.Token);
        time.Advance(TimeSpan.FromSeconds(35));
        await cts.CancelAsync();
        RunResult stopped = await interrupted;
        RunCheckpoint checkpoint = checkpoints.Saves.Last();

        Assert.Equal(RunOutcome.Cancelled, stopped.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(35), checkpoint.Elapsed);
        Assert.Equal(10, checkpoint.Usage.TotalTokenCount);
        Assert.Equal("draft", checkpoint.ActivePhase);

        // The resumed run has 25 s left: a 30 s model call times out.
        var time2 = new FakeTimeProvider();
        using var slow = new ScriptedChatClient(timeProvider: time2).ReplyText("too late").WithDelay(TimeSpan.FromSeconds(30));
        var audit = new RecordingAudit();
        RunHandle handle = Create(slow, new RunPorts { Audit = audit }, time2).Start(RunRequest.Resume(checkpoint));
        time2.Advance(TimeSpan.FromSeconds(25));
        RunResult resumed = await handle.Completion;

        Assert.Equal(RunOutcome.TimedOut, resumed.Outcome);
        Assert.Equal(checkpoint.RunId, resumed.RunId);
        Assert.Equal(10, resumed.Usage.TotalTokenCount);
        Assert.Equal(TimeSpan.FromSeconds(60), resumed.Duration);
        AuditEvent resumedEvent = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.RunResumed);
        Assert.Equal(10, resumedEvent.Usage?.TotalTokenCount);

        // And one with time left completes, adding its usage to what was spent.
        using var fast = new ScriptedChatClient().ReplyText("done", Ten);
        RunResult completed = await Create(fast, RunPorts.None).RunAsync(RunRequest.Resume(checkpoint));
        Assert.Equal(RunOutcome.Completed, completed.Outcome);
        Assert.Equal(20, completed.Usage.TotalTokenCount);
        Assert.Equal(2, completed.Iterations);
    }

    [Fact]
    public void A_checkpoint_of_another_schema_version_is_refused_clearly()
    {
        var checkpoint = new RunCheckpoint
        {
            SchemaVersion = 99,
            RunId = "r1",
            Agent = AgentSnapshot.From(new RunnableAgent("a")),
            Caller = CallerIdentity.Anonymous,
            Messages = [new ChatMessage(ChatRole.User, "x")],
        };
        NotSupportedException ex = Assert.Throws<NotSupportedException>(() => RunRequest.Resume(checkpoint));
        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_timed_out_mid_tool_closes_the_open_call_in_the_result_and_the_checkpoint()
    {
        var time = new FakeTimeProvider();
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            async (CancellationToken ct) =>
            {
                await Task.Delay(TimeSpan.FromHours(1), time, ct);
                return "never";
            },
            "wait"));
        using var model = new ScriptedChatClient().ReplyToolCall("wait", new { }, callId: "c1");
        var checkpoints = new RecordingCheckpointer();
        var executor = new Executor(new FixedModelResolver(model), tools, new RunPorts { Checkpointer = checkpoints }, timeProvider: time);

        RunHandle handle = executor.Start(new RunRequest(new RunnableAgent("waiter") { Tools = ["wait"], Timeout = TimeSpan.FromSeconds(10) }, "go"));
        time.Advance(TimeSpan.FromSeconds(10));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        FunctionResultContent closed = Assert.IsType<FunctionResultContent>(result.Messages[^1].Contents.Single());
        Assert.Equal("c1", closed.CallId);
        Assert.Contains("timed out", closed.Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal(["save 1", "fail TimedOut"], checkpoints.Log);
        Assert.Equal("c1", Assert.IsType<FunctionResultContent>(checkpoints.Saves.Single().Messages[^1].Contents.Single()).CallId);
    }
    [Fact]
    public async Task The_kernel_saves_before_tools_with_side_effects_and_answers_in_flight_calls_on_resume()
    {
        var tools = Tools();
        int writes = 0;
        tools.Register(AIFunctionFactory.Create(() => ++writes, "write"), new ToolMetadata { SideEffect = SideEffect.Write });
        tools.Register(AIFunctionFactory.Create(() => ++writes, "rewrite"), new ToolMetadata { SideEffect = SideEffect.Write, SafeToRepeat = true });
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ReplyToolCall("write", new { }, callId: "w1").ReplyText("done");
        var checkpoints = new RecordingCheckpointer();
        var agent = new RunnableAgent("w") { Tools = ["add", "write", "rewrite"] };

        await new Executor(new FixedModelResolver(model), tools, new RunPorts { Checkpointer = checkpoints }).RunAsync(new RunRequest(agent, "go"));

        Assert.Equal([CheckpointBoundary.Turn, CheckpointBoundary.BeforeSideEffects, CheckpointBoundary.Turn], checkpoints.Saves.Select(s => s.Boundary));
        RunCheckpoint inFlight = checkpoints.Saves.ElementAt(1);
        Assert.Equal("w1", Assert.IsType<FunctionCallContent>(inFlight.Messages[^1].Contents.Single()).CallId);

        // Resumed from the in-flight snapshot, with one more call of a tool safe to repeat in the same turn.
        var open = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("w1", "write"), new FunctionCallContent("r1", "rewrite")]);
        RunCheckpoint crashed = inFlight with { Messages = [.. inFlight.Messages.SkipLast(1), open] };
        writes = 0;
        using var after = new ScriptedChatClient().ReplyText("checked");
        RunResult resumed = await new Executor(new FixedModelResolver(after), tools).RunAsync(RunRequest.Resume(crashed, agent));

        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal(1, writes);
        FunctionResultContent[] answers = [.. resumed.Messages[^2].Contents.Cast<FunctionResultContent>()];
        Assert.Equal(["w1", "r1"], answers.Select(a => a.CallId));
        Assert.Contains("may or may not have taken effect", answers[0].Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal("1", answers[1].Result?.ToString());
    }
}
