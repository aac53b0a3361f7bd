using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Deliver;
using Executus.Runs;

namespace Executus.Core.Tests.Runs;

internal sealed class RecordingBudget(int? denyAtIteration = null, string? warnAtIteration = null) : IBudget
{
    private int _reservations;

    public ConcurrentQueue<BudgetCheck> Checks { get; } = new();
    public ConcurrentQueue<BudgetCharge> Charges { get; } = new();
    public ConcurrentQueue<BudgetReservation> Releases { get; } = new();
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Gets the reservations neither settled nor released.</summary>
    public int Open => Checks.Count(c => !Refused(c)) - Charges.Count - Releases.Count;

    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
    {
        Checks.Enqueue(check);
        if (Refused(check))
        {
            Log.Enqueue($"deny {check.Iteration}");
            return ValueTask.FromResult(BudgetDecision.Deny("weekly budget of $5.00 spent"));
        }

        string id = $"r{Interlocked.Increment(ref _reservations)}";
        Log.Enqueue($"check {check.Iteration} {check.Purpose} {id}");
        return ValueTask.FromResult(BudgetDecision.Grant(id, warnAtIteration == check.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture) ? "80% of the weekly budget spent" : null));
    }

    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default)
    {
        Charges.Enqueue(charge);
        Log.Enqueue($"settle {charge.Reservation.ReservationId} {charge.Usage.TotalTokenCount}");
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        Releases.Enqueue(reservation);
        Log.Enqueue($"release {reservation.ReservationId}");
        return ValueTask.CompletedTask;
    }

    private bool Refused(BudgetCheck check) => check.Iteration >= denyAtIteration;
}

internal sealed class RecordingAudit : IAudit
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public IEnumerable<AuditEventKind> Kinds => Events.Select(e => e.Kind);

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class RecordingCheckpointer : ICheckpointer
{
    public ConcurrentQueue<RunCheckpoint> Saves { get; } = new();
    public ConcurrentQueue<int> SavedCounts { get; } = new();
    public ConcurrentQueue<string> Log { get; } = new();

    public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default)
    {
        Saves.Enqueue(checkpoint);
        SavedCounts.Enqueue(savedMessageCount);
        Log.Enqueue($"save {checkpoint.Iteration}");
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        Log.Enqueue("complete");
        return ValueTask.CompletedTask;
    }

    public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default)
    {
        Log.Enqueue($"fail {outcome}");
        return ValueTask.CompletedTask;
    }
}

internal sealed class ScriptedCritic(Func<CriticReview, CriticVerdict> judge) : ICritic
{
    public ConcurrentQueue<CriticReview> Reviews { get; } = new();

    public ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default)
    {
        Reviews.Enqueue(review);
        return ValueTask.FromResult(judge(review));
    }
}

internal sealed class RecordingObserver : IRunObserver
{
    public ConcurrentQueue<RunEvent> Events { get; } = new();

    public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(runEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class ThrowingObserver : IRunObserver
{
    public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default) => throw new InvalidOperationException("observer bug");
}

internal sealed class RecordingDelivery(bool fail = false) : IDelivery
{
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        if (fail)
        {
            throw new HttpRequestException("chat service is down");
        }

        Deliveries.Enqueue(delivery);
        return ValueTask.CompletedTask;
    }
}
