using System.Diagnostics;
using System.Text.Json;
using Executus.Auditing;
using Executus.Core.Tests.Telemetry;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Runs;

public sealed class PhaseTests
{
    private static readonly UsageDetails Ten = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };
    private static readonly UsageDetails Hundred = new() { InputTokenCount = 70, OutputTokenCount = 30, TotalTokenCount = 100 };

    private static readonly JsonElement VerdictSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"verdict":{"type":"string","enum":["pass","fail"]},"notes":{"type":"string"}},"required":["verdict"]}
        """).RootElement.Clone();

    private readonly List<string> _writes = [];

    private ToolRegistry Tools()
    {
        var registry = new ToolRegistry();
        registry.Register(AIFunctionFactory.Create((string path) => $"contents of {path}", "read"));
        registry.Register(AIFunctionFactory.Create(
            (string text) =>
            {
                _writes.Add(text);
                return "written";
            },
            "write"));
        return registry;
    }

    /// <summary>gather (read only, ends with finish_phase) → judge (schema hand-off) → report (write, ends by answering).</summary>
    private static RunnableAgent Reviewer(Func<AgentPhase, AgentPhase>? gather = null, Func<AgentPhase, AgentPhase>? judge = null) => new("reviewer")
    {
        Instructions = "You review changes.",
        Tools = ["read", "write"],
        MaxIterations = 20,
        Phases =
        [
            (gather ?? (p => p))(new AgentPhase("gather") { Instructions = "Collect the facts.", Tools = ["read"], Tier = "fast", MaxIterations = 4 }),
            (judge ?? (p => p))(new AgentPhase("judge") { Instructions = "Decide.", Tools = [], Tier = "smart", HandoffSchema = VerdictSchema }),
            new AgentPhase("report") { Instructions = "Write the report.", Tools = ["write"], CompletesWhen = PhaseCompletion.Answer },
        ],
    };

    private Executor Create(IChatClient model, RunPorts? ports = null) => new(new FixedModelResolver(model), Tools(), ports);

    private static ScriptedChatClient HappyScript() => new ScriptedChatClient()
        .ReplyToolCall("read", new { path = "a.cs" }, usage: Ten)
        .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "a.cs changes Parse" }, usage: Ten)
        .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "fail", notes = "Parse loses data" } }, usage: Hundred)
        .ReplyToolCall("write", new { text = "report" }, usage: Ten)
        .ReplyText("Report: Parse loses data.", Ten);

    [Fact]
    public async Task Runs_the_phases_in_order_with_hand_offs_usage_and_outcome()
    {
        using ScriptedChatClient model = HappyScript();

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer(), "Review the diff."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("Report: Parse loses data.", result.Text);
        Assert.Equal(["gather", "judge", "report"], result.Phases.Select(p => p.Name));
        Assert.All(result.Phases, p => Assert.Equal(PhaseStatus.Completed, p.Status));
        Assert.Equal([2, 1, 2], result.Phases.Select(p => p.Iterations));
        Assert.Equal([20L, 100L, 20L], result.Phases.Select(p => p.Usage.TotalTokenCount ?? 0));
        Assert.Equal("a.cs changes Parse", result.Phases[0].Handoff?.GetString());
        Assert.Equal("fail", result.Phases[1].Handoff?.GetProperty("verdict").GetString());
        Assert.Equal("Report: Parse loses data.", result.Phases[2].Handoff?.GetString());
        Assert.Equal(["report"], _writes);

        // Each phase's instructions: the agent's, then the phase's, with the earlier hand-offs.
        Assert.StartsWith("You review changes.", model.Requests[0].Options!.Instructions, StringComparison.Ordinal);
        Assert.Contains("Current phase: 'gather' (1 of 3)", model.Requests[0].Options!.Instructions, StringComparison.Ordinal);
        Assert.DoesNotContain("Hand-offs", model.Requests[0].Options!.Instructions, StringComparison.Ordinal);
        string judge = model.Requests[2].Options!.Instructions!;
        Assert.Contains("Current phase: 'judge' (2 of 3)", judge, StringComparison.Ordinal);
        Assert.Contains("- gather: \"a.cs changes Parse\"", judge, StringComparison.Ordinal);
        string report = model.Requests[3].Options!.Instructions!;
        Assert.Contains("- judge: {\"verdict\":\"fail\",\"notes\":\"Parse loses data\"}", report, StringComparison.Ordinal);
        Assert.Contains("answer without calling a tool", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_palette_changes_per_phase_and_stage_1_denies_a_later_phases_tool()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("write", new { text = "too early" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "facts" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "pass" } })
            .ReplyToolCall("write", new { text = "now" })
            .ReplyText("done");
        var audit = new RecordingAudit();

        RunResult result = await Create(model, new RunPorts { Audit = audit }).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["now"], _writes);
        FunctionResultContent denied = model.Requests[1].FunctionResults.Single();
        Assert.IsType<ToolDeniedException>(denied.Exception);
        Assert.Contains("in phase 'gather'", denied.Result?.ToString(), StringComparison.Ordinal);
        AuditEvent denial = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.ToolDenied);
        Assert.Equal("write", denial.ToolName);

        Assert.Equal(["read", AgentPhase.FinishPhaseToolName], model.Requests[0].Options!.Tools!.Select(t => t.Name));
        Assert.Equal([AgentPhase.FinishPhaseToolName], model.Requests[2].Options!.Tools!.Select(t => t.Name));
        Assert.Equal(["write"], model.Requests[3].Options!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public async Task Each_phase_uses_its_tier_and_its_calls_are_attributed_to_it()
    {
        var seen = new List<string>();
        ChatResponse Answer(string tier, ScriptedRequest request, object? handoff)
        {
            seen.Add($"{tier}:{ModelCallContext.Current?.Phase}:{ModelCallContext.Current?.Tier}");
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{seen.Count}", AgentPhase.FinishPhaseToolName, new Dictionary<string, object?> { ["handoff"] = handoff })]))
            {
                Usage = tier == "smart" ? Hundred : Ten,
            };
        }

        using var fast = new ScriptedChatClient("fast-model").Reply(r => Answer("fast", r, "facts"));
        using var smart = new ScriptedChatClient("smart-model").Reply(r => Answer("smart", r, JsonDocument.Parse("""{"verdict":"pass"}""").RootElement));
        using var writer = new ScriptedChatClient("writer-model").ReplyText("the report", Ten);
        var resolver = new TierResolver(new Dictionary<string, IChatClient> { ["fast"] = fast, ["smart"] = smart, ["default"] = writer });

        RunResult result = await new Executor(resolver, Tools()).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["fast:gather:fast", "smart:judge:smart"], seen);
        Assert.Single(fast.Requests);
        Assert.Single(smart.Requests);
        Assert.Single(writer.Requests);
        Assert.Equal([10L, 100L, 10L], result.Phases.Select(p => p.Usage.TotalTokenCount ?? 0));
        Assert.Equal(120, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Usage_records_name_the_phase_of_each_call()
    {
        using ScriptedChatClient model = HappyScript();
        var sink = new RecordingSink();

        RunResult result = await new Executor(new FixedModelResolver(model, usageSink: sink), Tools()).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["gather", "gather", "judge", "report", "report"], sink.Records.Select(r => r.Phase));
        Assert.All(sink.Records, r => Assert.Equal(result.RunId, r.RunId));
    }

    [Fact]
    public async Task An_invalid_hand_off_is_sent_back_with_the_errors_and_repaired()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "facts" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "maybe" } })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "pass" } })
            .ReplyText("ok");

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        string first = model.Requests[2].FunctionResults[^1].Result!.ToString()!;
        Assert.StartsWith("Error: the hand-off does not match the phase's schema:", first, StringComparison.Ordinal);
        Assert.Contains("must be one of", first, StringComparison.Ordinal);
        Assert.Contains("missing required argument 'handoff'", model.Requests[3].FunctionResults[^1].Result!.ToString(), StringComparison.Ordinal);
        Assert.Equal("pass", result.Phases[1].Handoff?.GetProperty("verdict").GetString());
        Assert.Equal(3, result.Phases[1].Iterations);
    }

    [Fact]
    public async Task A_hand_off_that_stays_invalid_ends_the_run_naming_the_phase()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "facts" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "maybe" } })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "perhaps" } });

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer(judge: p => p with { MaxHandoffAttempts = 2 }), "Review."));

        Assert.Equal(RunOutcome.PhaseLimit, result.Outcome);
        Assert.Contains("Phase 'judge' got no valid hand-off in 2 attempts", result.StopReason, StringComparison.Ordinal);
        Assert.Equal(PhaseStatus.OverLimit, result.Phases[^1].Status);
        Assert.Null(result.Phases[^1].Handoff);
    }

    [Fact]
    public async Task A_phase_over_its_iterations_ends_the_run_with_a_distinct_outcome()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("read", new { path = "1" }).ReplyToolCall("read", new { path = "2" }).ReplyToolCall("read", new { path = "3" });

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer(gather: p => p with { MaxIterations = 2 }), "Review."));

        Assert.Equal(RunOutcome.PhaseLimit, result.Outcome);
        Assert.Equal("Phase 'gather' reached its limit of 2 model calls.", result.StopReason);
        Assert.Equal(2, result.Iterations);
        PhaseRun gather = Assert.Single(result.Phases);
        Assert.Equal((PhaseStatus.OverLimit, 2), (gather.Status, gather.Iterations));
    }

    [Fact]
    public async Task A_phase_over_its_iterations_may_move_on_instead()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("read", new { path = "1" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "pass" } })
            .ReplyText("report");

        RunResult result = await Create(model).RunAsync(new RunRequest(
            Reviewer(gather: p => p with { MaxIterations = 1, OnLimit = PhaseLimitAction.MoveOn }), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([PhaseStatus.OverLimit, PhaseStatus.Completed, PhaseStatus.Completed], result.Phases.Select(p => p.Status));
        Assert.Contains("Current phase: 'judge'", model.Requests[1].Options!.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_runs_own_bound_still_applies_across_phases()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "facts" })
            .ReplyToolCall("read", new { path = "x" });

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer() with { MaxIterations = 2 }, "Review."));

        Assert.Equal(RunOutcome.MaxIterations, result.Outcome);
        Assert.Equal([PhaseStatus.Completed, PhaseStatus.Running], result.Phases.Select(p => p.Status));
    }

    [Fact]
    public async Task A_phase_is_skipped_when_its_condition_holds_on_the_transcript()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "nothing changed" })
            .ReplyText("No changes to report.");
        var observer = new RecordingObserver();
        PhaseContext? seen = null;

        RunResult result = await Create(model, new RunPorts { Observers = [observer] }).RunAsync(new RunRequest(
            Reviewer(judge: p => p with
            {
                SkipWhen = context =>
                {
                    seen = context;
                    return context.Handoffs["gather"].GetString() == "nothing changed";
                },
            }),
            "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([PhaseStatus.Completed, PhaseStatus.Skipped, PhaseStatus.Completed], result.Phases.Select(p => p.Status));
        Assert.Equal(0, result.Phases[1].Iterations);
        Assert.Equal("judge", seen!.Phase.Name);
        Assert.Equal(3, seen.Messages.Count);
        Assert.DoesNotContain(observer.Events.OfType<PhaseStartedEvent>(), e => e.Phase == "judge");
        Assert.Contains(observer.Events.OfType<PhaseEndedEvent>(), e => e.Phase is { Name: "judge", Status: PhaseStatus.Skipped });
    }

    [Fact]
    public async Task A_finish_tool_phase_answered_without_tools_gets_a_reminder()
    {
        using var model = new ScriptedChatClient()
            .ReplyText("I think I am done.")
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "facts" })
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "pass" } })
            .ReplyText("report");

        RunResult result = await Create(model).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Contains("Phase 'gather' is not finished yet", model.Requests[1].Messages[^1].Text, StringComparison.Ordinal);
        Assert.Equal(2, result.Phases[0].Iterations);
    }

    [Fact]
    public async Task Transitions_are_events_audit_events_and_phase_spans_in_order()
    {
        using var capture = new ActivityCapture(ExecutusTelemetry.RunsSourceName);
        using ScriptedChatClient model = HappyScript();
        var observer = new RecordingObserver();
        var audit = new RecordingAudit();

        RunResult result = await Create(model, new RunPorts { Observers = [observer], Audit = audit }).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        string[] events = [.. observer.Events
            .Where(e => e is PhaseStartedEvent or PhaseEndedEvent or RunStartedEvent or RunFinishedEvent or ToolCallStartedEvent)
            .Select(e => e switch
            {
                PhaseStartedEvent s => $"start {s.Phase}",
                PhaseEndedEvent f => $"end {f.Phase.Name}",
                ToolCallStartedEvent t => $"tool {t.Call.Name}",
                _ => e.GetType().Name,
            })];
        Assert.Equal(
            ["RunStartedEvent", "start gather", "tool read", "tool finish_phase", "end gather", "start judge", "tool finish_phase", "end judge",
             "start report", "tool write", "end report", "RunFinishedEvent"],
            events);

        AuditEventKind[] kinds = [.. audit.Kinds.Where(k => k is AuditEventKind.PhaseStarted or AuditEventKind.PhaseEnded or AuditEventKind.RunStarted or AuditEventKind.RunFinished)];
        Assert.Equal(
            [AuditEventKind.RunStarted, AuditEventKind.PhaseStarted, AuditEventKind.PhaseEnded, AuditEventKind.PhaseStarted, AuditEventKind.PhaseEnded,
             AuditEventKind.PhaseStarted, AuditEventKind.PhaseEnded, AuditEventKind.RunFinished],
            kinds);
        AuditEvent judged = audit.Events.Where(e => e.Kind == AuditEventKind.PhaseEnded).ElementAt(1);
        Assert.Equal(("judge", "Completed"), (judged.Data["phase"], judged.Data["status"]));
        Assert.Equal("fail", judged.Arguments?.GetProperty("verdict").GetString());
        Assert.Equal(100, judged.Usage?.TotalTokenCount);
        Assert.True(audit.Events.Select(e => e.Sequence).SequenceEqual(audit.Events.Select(e => e.Sequence).Order()));

        Activity run = Assert.Single(capture.Stopped, a => a.OperationName == "invoke_agent reviewer");
        Activity[] phases = [.. capture.Stopped.Where(a => a.OperationName.StartsWith("phase ", StringComparison.Ordinal)).OrderBy(a => a.StartTimeUtc)];
        Assert.Equal(["phase gather", "phase judge", "phase report"], phases.Select(a => a.OperationName));
        Assert.All(phases, p => Assert.Equal(run.SpanId, p.ParentSpanId));
        Activity write = Assert.Single(capture.Stopped, a => a.OperationName == "execute_tool write");
        Assert.Equal(phases[2].SpanId, write.ParentSpanId);
        Activity read = Assert.Single(capture.Stopped, a => a.OperationName == "execute_tool read");
        Assert.Equal(phases[0].SpanId, read.ParentSpanId);
    }

    [Fact]
    public async Task The_critic_and_every_checkpoint_see_the_current_phase()
    {
        using ScriptedChatClient model = HappyScript();
        var critic = new ScriptedCritic(_ => CriticVerdict.Continue);
        var checkpoints = new RecordingCheckpointer();

        RunResult result = await Create(model, new RunPorts { Critic = critic, Checkpointer = checkpoints }).RunAsync(new RunRequest(Reviewer(), "Review."));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["gather", "gather", "judge", "report", "report"], critic.Reviews.Select(r => r.Phase));
        Assert.Equal(["gather", "judge", "report", "report"], checkpoints.Saves.Where(c => c.Boundary == CheckpointBoundary.Turn).Select(c => c.ActivePhase));
        RunCheckpoint inJudge = checkpoints.Saves.First(c => c.ActivePhase == "judge");
        Assert.Equal([("gather", PhaseStatus.Completed), ("judge", PhaseStatus.Running)], inJudge.Phases.Select(p => (p.Name, p.Status)));
    }

    [Fact]
    public async Task A_checkpoint_mid_phase_2_resumes_in_phase_2_with_phase_1s_hand_off()
    {
        var agent = new RunnableAgent("reviewer")
        {
            Tools = ["read", "write"],
            Phases =
            [
                new AgentPhase("gather") { Tools = ["read"] },
                new AgentPhase("judge") { Tools = ["read"], HandoffSchema = VerdictSchema, MaxIterations = 3 },
            ],
        };
        var checkpoints = new RecordingCheckpointer();
        using var first = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = "a.cs changes Parse" }, usage: Ten)
            .ReplyToolCall("read", new { path = "a.cs" }, usage: Ten)
            .Throw(new InvalidOperationException("the host died"));
        RunResult crashed = await Create(first, new RunPorts { Checkpointer = checkpoints }).RunAsync(new RunRequest(agent, "Review."));
        Assert.Equal(RunOutcome.Failed, crashed.Outcome);

        // The last checkpoint, through JSON as a store would keep it.
        RunCheckpoint saved = checkpoints.Saves.Last(c => c.Boundary == CheckpointBoundary.Turn);
        string json = JsonSerializer.Serialize(saved, AIJsonUtilities.DefaultOptions);
        RunCheckpoint checkpoint = JsonSerializer.Deserialize<RunCheckpoint>(json, AIJsonUtilities.DefaultOptions)!;
        Assert.Equal("judge", checkpoint.ActivePhase);
        Assert.Equal("a.cs changes Parse", checkpoint.Phases[0].Handoff?.GetString());

        using var second = new ScriptedChatClient()
            .ReplyToolCall(AgentPhase.FinishPhaseToolName, new { handoff = new { verdict = "pass" } }, usage: Ten);
        var observer = new RecordingObserver();
        RunResult resumed = await Create(second, new RunPorts { Observers = [observer] }).RunAsync(RunRequest.Resume(checkpoint, agent));

        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        string instructions = second.Requests[0].Options!.Instructions!;
        Assert.Contains("Current phase: 'judge' (2 of 2)", instructions, StringComparison.Ordinal);
        Assert.Contains("- gather: \"a.cs changes Parse\"", instructions, StringComparison.Ordinal);
        PhaseStartedEvent started = Assert.Single(observer.Events.OfType<PhaseStartedEvent>());
        Assert.Equal(("judge", true), (started.Phase, started.Resumed));
        Assert.Equal(["gather", "judge"], resumed.Phases.Select(p => p.Name));
        Assert.Equal("a.cs changes Parse", resumed.Phases[0].Handoff?.GetString());
        PhaseRun judge = resumed.Phases[1];
        Assert.Equal((PhaseStatus.Completed, 2, 20L), (judge.Status, judge.Iterations, judge.Usage.TotalTokenCount ?? 0));
    }

    [Fact]
    public async Task A_phase_less_agent_runs_as_before_with_no_phase_events()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("read", new { path = "a" }).ReplyText("done");
        var observer = new RecordingObserver();
        var checkpoints = new RecordingCheckpointer();

        RunResult result = await Create(model, new RunPorts { Observers = [observer], Checkpointer = checkpoints })
            .RunAsync(new RunRequest(new RunnableAgent("plain") { Tools = ["read"] }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Empty(result.Phases);
        Assert.DoesNotContain(observer.Events, e => e is PhaseStartedEvent or PhaseEndedEvent);
        Assert.All(checkpoints.Saves, c => Assert.Empty(c.Phases));
        Assert.Equal(["read"], model.Requests[0].Options!.Tools!.Select(t => t.Name));
    }

    [Fact]
    public void Bad_phases_are_refused_naming_the_agent_and_phase()
    {
        var agent = new RunnableAgent("a") { Tools = ["read"] };
        Assert.Contains("two phases are named 'x'", Assert.Throws<ArgumentException>(() => (agent with { Phases = [new AgentPhase("x"), new AgentPhase("x")] }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("tool 'write' is not among the agent's tools", Assert.Throws<ArgumentException>(() => (agent with { Phases = [new AgentPhase("x") { Tools = ["write"] }] }).Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => (agent with { Phases = [new AgentPhase("x") { MaxIterations = 0 }] }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (agent with { Phases = [new AgentPhase("x") { MaxHandoffAttempts = 0 }] }).Validate());
        Assert.Contains("HandoffSchema must be a JSON schema object", Assert.Throws<ArgumentException>(() => (agent with { Phases = [new AgentPhase("x") { HandoffSchema = JsonDocument.Parse("3").RootElement }] }).Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => (agent with { Phases = [new AgentPhase("x") { CompletesWhen = PhaseCompletion.Answer, HandoffSchema = VerdictSchema }] }).Validate());
        Assert.Throws<ArgumentException>(() => new AgentPhase(" "));
        (new RunnableAgent("all") { Tools = ["*"], Phases = [new AgentPhase("x") { Tools = ["anything"] }] }).Validate();
    }

    [Fact]
    public async Task Resuming_into_a_phase_the_agent_does_not_have_fails_clearly()
    {
        var checkpoint = new RunCheckpoint
        {
            RunId = "run_1",
            Agent = AgentSnapshot.From(Reviewer()),
            Caller = Executus.Identity.CallerIdentity.Anonymous,
            Messages = [new ChatMessage(ChatRole.User, "Review.")],
            ActivePhase = "deploy",
            Phases = [new PhaseRun { Name = "deploy", Status = PhaseStatus.Running }],
        };
        using var model = new ScriptedChatClient();

        RunResult result = await Create(model).RunAsync(RunRequest.Resume(checkpoint, Reviewer()));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("phase 'deploy', which agent 'reviewer' does not have", result.StopReason, StringComparison.Ordinal);
    }

    private sealed class RecordingSink : IUsageSink
    {
        public List<UsageRecord> Records { get; } = [];

        public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            lock (Records)
            {
                Records.Add(record);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class TierResolver(Dictionary<string, IChatClient> byTier) : IAgentModelResolver
    {
        public IChatClient Resolve(RunnableAgent agent) => byTier[agent.Tier ?? "default"];
    }
}
