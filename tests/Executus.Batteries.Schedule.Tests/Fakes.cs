using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Schedules.Tests;

/// <summary>A model that answers at once (or waits on a gate) and records which run called it.</summary>
internal sealed class GateModel : IChatClient
{
    private int _calls;

    public ConcurrentQueue<string> RunIds { get; } = new();

    public ConcurrentQueue<string> Inputs { get; } = new();

    /// <summary>When set, each call waits for it (the firing stays running).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed by the first call that starts waiting on the gate.</summary>
    public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _calls);

    public int Running;

    public int MaxRunning;

    public void ResetEntered() => Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        RunIds.Enqueue(RunContext.Current?.RunId ?? "?");
        Inputs.Enqueue(messages.Last(m => m.Role == ChatRole.User).Text);
        int running = Interlocked.Increment(ref Running);
        int max;
        while ((max = Volatile.Read(ref MaxRunning)) < running && Interlocked.CompareExchange(ref MaxRunning, running, max) != max)
        {
        }

        try
        {
            if (Gate is { } gate)
            {
                Entered.TrySetResult();
                await gate.Task.WaitAsync(cancellationToken);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "done")) { FinishReason = ChatFinishReason.Stop };
        }
        finally
        {
            Interlocked.Decrement(ref Running);
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>A budget that refuses (or allows) every check and records checks and releases.</summary>
internal sealed class FakeBudget(bool allow) : IBudget
{
    public ConcurrentQueue<BudgetCheck> Checks { get; } = new();

    public ConcurrentQueue<BudgetReservation> Released { get; } = new();

    public bool Allow { get; set; } = allow;

    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
    {
        Checks.Enqueue(check);
        return ValueTask.FromResult(Allow ? BudgetDecision.Grant("res-" + Checks.Count) : BudgetDecision.Deny("daily cap reached"));
    }

    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        Released.Enqueue(reservation);
        return ValueTask.CompletedTask;
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
