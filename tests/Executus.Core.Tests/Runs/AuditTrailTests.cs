using Executus.Auditing;
using Executus.Compaction;
using Executus.Dispatch;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Runs;

public class AuditTrailTests
{
    private static readonly UsageDetails Ten = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };

    private static ToolRegistry Tools()
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        tools.Register(AIFunctionFactory.Create(() => "deployed", "deploy"), new ToolMetadata { NeedsApproval = true, SideEffect = SideEffect.Write });
        tools.Register(AIFunctionFactory.Create(() => new string('x', 2000), "big"));
        return tools;
    }

    [Fact]
    public async Task One_event_per_decision_numbered_with_usage_and_structured_arguments()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("add", new { a = 2, b = 3 }, usage: Ten)
            .ReplyToolCall("deploy", new { }, usage: Ten)
            .ReplyText("done", Ten);
        var audit = new RecordingAudit();
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Audit = audit });

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("ops") { Tools = ["add", "deploy"] }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(
            [
                AuditEventKind.RunStarted, AuditEventKind.ModelCall, AuditEventKind.ToolCall, AuditEventKind.ModelCall,
                AuditEventKind.ToolDenied, AuditEventKind.ModelCall, AuditEventKind.RunFinished,
            ],
            audit.Kinds);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), audit.Events.Select(e => e.Sequence));
        Assert.All(audit.Events, e => Assert.Equal(result.RunId, e.RunId));
        AuditEvent denied = audit.Events.Single(e => e.Kind == AuditEventKind.ToolDenied);
        Assert.Equal("deploy", denied.ToolName);
        Assert.Equal(2, denied.Iteration);
        Assert.Equal(nameof(PermissionStage.Invocation), denied.Data["stage"]); // stage 3
        AuditEvent call = audit.Events.Single(e => e.Kind == AuditEventKind.ToolCall);
        Assert.Equal(3, call.Arguments?.GetProperty("b").GetInt32());
        Assert.All(audit.Events.Where(e => e.Kind == AuditEventKind.ModelCall), e => Assert.Equal(10, e.Usage?.TotalTokenCount));
        Assert.Equal(30, audit.Events.Single(e => e.Kind == AuditEventKind.RunFinished).Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Compaction_and_dispatch_guard_trips_are_audited()
    {
        using var model = new ScriptedChatClient();
        model.WhenExhausted(_ => model.CreateResponse([new FunctionCallContent(Guid.NewGuid().ToString("N"), "big", new Dictionary<string, object?>())]));
        var audit = new RecordingAudit();
        var compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 1000, TriggerFraction = 0.6, TargetFraction = 0.4, KeepRecentTurns = 1 });
        var guard = new DispatchGuard(new DispatchLimits { MaxRepeats = 3 });
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Audit = audit }, compactor: compactor, guard: guard);

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("grow") { Tools = ["big"], MaxConsecutiveToolErrors = 1 }, "grow"));

        Assert.Equal(RunOutcome.ToolErrorLimit, result.Outcome);
        Assert.Contains(AuditEventKind.Compaction, audit.Kinds);
        AuditEvent trip = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.DispatchGuardTripped);
        Assert.Equal("big", trip.ToolName);
        Assert.DoesNotContain(audit.Events, e => e.Kind == AuditEventKind.ToolDenied);
    }
}
