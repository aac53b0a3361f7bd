using Executus.Auditing;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Runs;

/// <summary>The per-port failure policy of <c>RunPortInvoker</c>: which ports may end a run, which are logged.</summary>
public class PortFailurePolicyTests
{
    private static readonly UsageDetails Ten = new() { InputTokenCount = 7, OutputTokenCount = 3 };

    private static Task<RunResult> RunAsync(RunPorts ports)
    {
        var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }, usage: Ten).ReplyText("3", Ten);
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        return new Executor(new FixedModelResolver(model), tools, ports).RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "1+2?"));
    }

    [Fact]
    public async Task A_budget_that_cannot_answer_ends_the_run_failed()
    {
        RunResult result = await RunAsync(new RunPorts { Budget = new BrokenBudget(failCheck: true) });
        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.IsType<IOException>(result.Error);
    }

    [Fact]
    public async Task A_palette_that_throws_ends_the_run_failed()
    {
        RunResult result = await RunAsync(new RunPorts { Palette = new BrokenPalette() });
        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.IsType<IOException>(result.Error);
    }

    [Fact]
    public async Task Settle_audit_checkpoint_observer_and_critic_failures_are_logged_and_the_run_goes_on()
    {
        RunResult result = await RunAsync(new RunPorts
        {
            Budget = new BrokenBudget(failCheck: false),
            Audit = new BrokenAudit(),
            Checkpointer = new BrokenCheckpointer(),
            Observers = [new ThrowingObserver()],
            Critic = new BrokenCritic(),
        });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("3", result.Text);
        Assert.Equal(20, result.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task A_failing_delivery_is_reported_not_fatal()
    {
        RunResult result = await RunAsync(new RunPorts { Delivery = new RecordingDelivery(fail: true) });
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(RunDeliveryStatus.Failed, result.Delivery);
    }

    [Fact]
    public async Task A_checkpointer_that_says_another_host_took_the_run_over_stops_it_without_delivery_or_checkpoint_end()
    {
        var checkpointer = new TakenOverCheckpointer();
        var delivery = new RecordingDelivery();
        RunResult result = await RunAsync(new RunPorts { Checkpointer = checkpointer, Delivery = delivery });

        Assert.Equal(RunOutcome.Stopped, result.Outcome);
        Assert.Equal("run taken over", result.StopReason);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(1, checkpointer.Saves);
        Assert.Equal(0, checkpointer.Ends);
        Assert.Equal(RunDeliveryStatus.NotDelivered, result.Delivery);
    }

    private sealed class TakenOverCheckpointer : ICheckpointer
    {
        public int Saves { get; private set; }

        public int Ends { get; private set; }

        public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default)
        {
            Saves++;
            throw new RunOwnershipLostException("run taken over") { RunId = checkpoint.RunId };
        }

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default)
        {
            Ends++;
            return default;
        }

        public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default)
        {
            Ends++;
            return default;
        }
    }

    private sealed class BrokenBudget(bool failCheck) : IBudget
    {
        public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) =>
            failCheck ? throw new IOException("budget store down") : ValueTask.FromResult(BudgetDecision.Grant("r"));

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => throw new IOException("budget store down");

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => throw new IOException("budget store down");
    }

    private sealed class BrokenPalette : IPaletteSource
    {
        public ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default) =>
            throw new IOException("palette store down");
    }

    private sealed class BrokenAudit : IAudit
    {
        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => throw new IOException("audit down");
    }

    private sealed class BrokenCheckpointer : ICheckpointer
    {
        public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default) => throw new IOException("disk full");

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => throw new IOException("disk full");

        public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default) => throw new IOException("disk full");
    }

    private sealed class BrokenCritic : ICritic
    {
        public ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default) => throw new IOException("critic model down");
    }
}
