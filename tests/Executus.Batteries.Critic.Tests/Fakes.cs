using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Deliver;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Critics.Tests;

internal sealed class ScriptedReviewer(params CriticVerdict[] verdicts) : IProgressReviewer
{
    private int _next;

    public ConcurrentQueue<ProgressReview> Reviews { get; } = new();

    public Exception? Throw { get; set; }

    public ValueTask<CriticVerdict> ReviewAsync(ProgressReview review, CancellationToken cancellationToken = default)
    {
        Reviews.Enqueue(review);
        if (Throw is { } ex)
        {
            throw ex;
        }

        int i = Math.Min(_next++, verdicts.Length - 1);
        return ValueTask.FromResult(verdicts[i]);
    }
}

internal sealed class RecordingDelivery : IDelivery
{
    public ConcurrentQueue<Delivery> Delivered { get; } = new();

    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        Delivered.Enqueue(delivery);
        return ValueTask.CompletedTask;
    }
}

internal sealed class RecordingEscalator(EscalationDecision decision = EscalationDecision.Escalate) : IEscalator
{
    public ConcurrentQueue<Escalation> Escalations { get; } = new();

    public ValueTask<EscalationDecision> EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default)
    {
        Escalations.Enqueue(escalation);
        return ValueTask.FromResult(decision);
    }
}

internal sealed class RecordingAudit : IAudit
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class RecordingBudget : IBudget
{
    public ConcurrentQueue<BudgetCheck> Checks { get; } = new();

    public ConcurrentQueue<BudgetCharge> Settled { get; } = new();

    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
    {
        Checks.Enqueue(check);
        return ValueTask.FromResult(BudgetDecision.Grant("r" + Checks.Count));
    }

    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default)
    {
        Settled.Enqueue(charge);
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}

internal static class Reviews
{
    public static readonly CallerIdentity Caller = new("alice", "Alice", "acme");

    public static CriticReview At(TimeSpan elapsed, CriticTrigger trigger = CriticTrigger.Iteration, RunnableAgent? agent = null, IReadOnlyList<ChatMessage>? messages = null, string runId = "run-1") =>
        new(runId, agent ?? new RunnableAgent("worker"), Caller, 4, elapsed, Timeout.InfiniteTimeSpan, messages ?? [new ChatMessage(ChatRole.User, "Summarize the logs")])
        {
            Trigger = trigger,
        };

    public static TimeSpan Min(double minutes) => TimeSpan.FromMinutes(minutes);
}
