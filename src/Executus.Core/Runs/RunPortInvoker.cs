using System.Globalization;
using System.Threading.Channels;
using Executus.Auditing;
using Executus.Deliver;
using Executus.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Executus.Runs;

/// <summary>
/// The one place a run calls its ports, with one null policy and one failure policy.
/// </summary>
/// <remarks>
/// <para>Null policy: a port left null is its null object, and a null object is skipped by a type check (no event,
/// no allocation).</para>
/// <para>Failure policy, per port — only these may END a run: the budget's check (a budget that cannot answer must not
/// let spend through: <see cref="RunOutcome.Failed"/>; a refusal: <see cref="RunOutcome.BudgetExceeded"/>), the
/// caller resolver (an unknown caller must not run with someone's rights: Failed) and the palette source (stage 1
/// fails closed: Failed). Everything else is logged and the run goes on: budget settle/release, audit, checkpoint
/// save/complete/fail, observers, the critic (a throwing review counts as Continue; at the hard deadline the run
/// ends TimedOut), and delivery (reported as <see cref="RunDeliveryStatus.Failed"/> with the error, output kept).
/// Cancellation of the run's own token always propagates.</para>
/// </remarks>
internal sealed partial class RunPortInvoker : IAudit
{
    private readonly Executor _executor;
    private readonly RunExecution _run;
    private readonly ChannelWriter<RunEvent>? _events;
    private long _sequence;

    public RunPortInvoker(Executor executor, RunExecution run, ChannelWriter<RunEvent>? events)
    {
        _executor = executor;
        _run = run;
        _events = events;
        Emits = events is not null || executor.Ports.Observers.Count > 0;
    }

    public bool Emits { get; }

    /// <summary>Gets whether the run is streamed (model calls stream their text deltas).</summary>
    public bool Streams => _events is not null;

    public bool HasEndWork => _executor.Ports.Delivery is not null || Checkpoints || Audits || Critic is not null;

    public bool Audits => _executor.Audit is not NullAudit;

    public bool Checkpoints => _executor.Checkpointer is not NullCheckpointer;

    public ICritic? Critic => _executor.Critic;

    private ILogger Logger => _executor.Logger;

    private string RunId => _run.RunId;

    // ---- observers -------------------------------------------------------------------------------------------------

    public ValueTask EmitAsync(RunEvent runEvent, CancellationToken token)
    {
        _events?.TryWrite(runEvent);
        IReadOnlyList<IRunObserver> observers = _executor.Ports.Observers;

        // Why: most observers answer at once; those events pass without async state or a boxed enumerator, and the
        // first observer still working hands the rest to the awaiting path.
        for (int i = 0; i < observers.Count; i++)
        {
            ValueTask told;
            try
            {
                told = observers[i].OnEventAsync(runEvent, token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogPortFailure(Logger, ex, "observer", RunId);
                continue;
            }

            if (!told.IsCompletedSuccessfully)
            {
                return EmitRestAsync(told, observers, i, runEvent, token);
            }
        }

        return default;
    }

    private async ValueTask EmitRestAsync(ValueTask pending, IReadOnlyList<IRunObserver> observers, int index, RunEvent runEvent, CancellationToken token)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            LogPortFailure(Logger, ex, "observer", RunId);
        }

        for (int i = index + 1; i < observers.Count; i++)
        {
            try
            {
                await observers[i].OnEventAsync(runEvent, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogPortFailure(Logger, ex, "observer", RunId);
            }
        }
    }

    public void CompleteEvents() => _events?.TryComplete();

    // ---- audit ----------------------------------------------------------------------------------------------------

    /// <summary>Records an event of this run: stamps the sequence number and the run's facts; failures are logged.</summary>
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        if (!Audits)
        {
            return default;
        }

        // Why: an event from the run's own channel (a toolbox denial) usually lacks only the sequence; copy it only
        // when it misses a fact of the run.
        long sequence = Interlocked.Increment(ref _sequence);
        AuditEvent stamped = auditEvent.RunId is null || auditEvent.AgentName is null || auditEvent.Caller is null || auditEvent.Iteration == 0
            ? auditEvent with
            {
                Sequence = sequence,
                RunId = auditEvent.RunId ?? RunId,
                AgentName = auditEvent.AgentName ?? _run.Agent.Name,
                Caller = auditEvent.Caller ?? _run.Caller,
                Iteration = auditEvent.Iteration == 0 ? _run.Iteration : auditEvent.Iteration,
            }
            : auditEvent with { Sequence = sequence };
        return RecordCoreAsync(stamped, cancellationToken);
    }

    /// <summary>Builds one event of this run, stamped once with its sequence and the run's facts, and records it.</summary>
    public ValueTask AuditAsync(
        AuditEventKind kind,
        CancellationToken token,
        string? toolName = null,
        string? detail = null,
        UsageDetails? usage = null,
        string? model = null,
        AuditArguments arguments = default,
        IReadOnlyDictionary<string, string>? data = null,
        DateTimeOffset? at = null,
        TimeSpan? duration = null) =>
        Audits
            ? RecordCoreAsync(
                new AuditEvent(kind, at ?? _executor.TimeProvider.GetUtcNow())
                {
                    Duration = duration,
                    Sequence = Interlocked.Increment(ref _sequence),
                    RunId = RunId,
                    AgentName = _run.Agent.Name,
                    Caller = _run.Caller,
                    Iteration = _run.Iteration,
                    ToolName = toolName,
                    Detail = detail,
                    Usage = usage,
                    Model = model,
                    Arguments = arguments.Json,
                    ArgumentValues = arguments.Values,
                    Data = data ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty,
                },
                token)
            : default;

    // Why: an audit port that takes the event at once (the usual case) needs no async state; only a pending one is awaited.
    private ValueTask RecordCoreAsync(AuditEvent auditEvent, CancellationToken token)
    {
        ValueTask recorded;
        try
        {
            recorded = _executor.Audit.RecordAsync(auditEvent, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            LogPortFailure(Logger, ex, "audit", RunId);
            return default;
        }

        if (recorded.IsCompletedSuccessfully)
        {
            // Why: a ValueTask backed by a pooled source must be read once to be released.
            recorded.GetAwaiter().GetResult();
            return default;
        }

        return AwaitRecordAsync(recorded, token);
    }

    private async ValueTask AwaitRecordAsync(ValueTask recorded, CancellationToken token)
    {
        try
        {
            await recorded.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            LogPortFailure(Logger, ex, "audit", RunId);
        }
    }

    /// <summary>
    /// Audits the budget's warnings and refusals and emits a <see cref="BudgetWarningEvent"/> for a warning (the
    /// accounting channel calls this).
    /// </summary>
    public async ValueTask OnBudgetDecisionAsync(BudgetCheck check, BudgetDecision decision, CancellationToken token)
    {
        if (decision.Allowed && decision.Warning is { } warning && Emits)
        {
            await EmitAsync(new BudgetWarningEvent(RunId, check.Iteration, _executor.TimeProvider.GetUtcNow(), warning, check.Model), token).ConfigureAwait(false);
        }

        if (!Audits || (decision.Allowed && decision.Warning is null))
        {
            return;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["purpose"] = check.Purpose ?? string.Empty,
            ["estimatedInputTokens"] = check.EstimatedInputTokens.ToString(CultureInfo.InvariantCulture),
        };
        if (decision.Exceeded is { } exceeded)
        {
            data["scope"] = exceeded.Scope;
            data["metric"] = exceeded.Metric;
            data["limit"] = exceeded.Limit.ToString(CultureInfo.InvariantCulture);
            data["spent"] = exceeded.Spent.ToString(CultureInfo.InvariantCulture);
            if (exceeded.RetryAfter is { } retryAfter)
            {
                data["retryAfter"] = retryAfter.ToString("c", CultureInfo.InvariantCulture);
            }
        }

        await AuditAsync(
            decision.Allowed ? AuditEventKind.BudgetWarning : AuditEventKind.BudgetRefused,
            token,
            detail: decision.Allowed ? decision.Warning : decision.Reason,
            model: check.Model,
            data: data).ConfigureAwait(false);
    }

    // ---- critic ---------------------------------------------------------------------------------------------------

    /// <summary>Asks the critic; a throwing critic counts as Continue. Verdicts other than Continue are audited.</summary>
    public async ValueTask<CriticVerdict> ReviewAsync(ICritic critic, CriticReview review, CancellationToken token)
    {
        CriticVerdict verdict;
        try
        {
            verdict = await critic.ReviewAsync(review, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            LogPortFailure(Logger, ex, "critic", RunId);
            return CriticVerdict.Continue;
        }

        if (verdict.Kind != CriticVerdictKind.Continue)
        {
            var data = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["verdict"] = verdict.Kind.ToString(),
                ["trigger"] = review.Trigger.ToString(),
            };
            if (verdict.Kind == CriticVerdictKind.Extend)
            {
                data["extension"] = verdict.Extension.ToString("c", CultureInfo.InvariantCulture);
            }

            await AuditAsync(AuditEventKind.CriticVerdict, token, detail: verdict.Reason, data: data).ConfigureAwait(false);
            if (Emits)
            {
                await EmitAsync(new CriticVerdictEvent(RunId, review.Iteration, _executor.TimeProvider.GetUtcNow(), review.Trigger, verdict), token).ConfigureAwait(false);
            }
        }

        return verdict;
    }

    // ---- checkpoint -----------------------------------------------------------------------------------------------

    public ValueTask<bool> SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken token)
    {
        ValueTask save;
        try
        {
            save = _executor.Checkpointer.SaveAsync(checkpoint, savedMessageCount, token);
        }
        catch (Exception ex) when (IsSaveFailure(ex, token))
        {
            LogPortFailure(Logger, ex, "checkpoint save", RunId);
            return new ValueTask<bool>(false);
        }

        // Why: a throttled save completes at once; only a save still running needs the awaiting (and catching) path.
        if (save.IsCompletedSuccessfully)
        {
            save.GetAwaiter().GetResult();
            return new ValueTask<bool>(true);
        }

        return AwaitSaveAsync(save, token);
    }

    private async ValueTask<bool> AwaitSaveAsync(ValueTask save, CancellationToken token)
    {
        try
        {
            await save.ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsSaveFailure(ex, token))
        {
            // Why: a busy or broken checkpoint store must not end a healthy run; the next save tries again.
            LogPortFailure(Logger, ex, "checkpoint save", RunId);
            return false;
        }
    }

    // Why: the run's own cancellation and a takeover by another host end the run; any other save failure does not.
    private static bool IsSaveFailure(Exception ex, CancellationToken token) =>
        ex is not RunOwnershipLostException && (ex is not OperationCanceledException || !token.IsCancellationRequested);

    public async ValueTask EndCheckpointAsync(RunOutcome outcome, CancellationToken token)
    {
        try
        {
            if (outcome == RunOutcome.Completed)
            {
                await _executor.Checkpointer.CompleteAsync(RunId, token).ConfigureAwait(false);
            }
            else
            {
                await _executor.Checkpointer.FailAsync(RunId, outcome, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogPortFailure(Logger, ex, "checkpoint completion", RunId);
        }
    }

    // ---- delivery -------------------------------------------------------------------------------------------------

    public async ValueTask<(RunDeliveryStatus Status, Exception? Error)> DeliverAsync(IDelivery port, Delivery delivery, CancellationToken token)
    {
        try
        {
            await port.DeliverAsync(delivery, token).ConfigureAwait(false);
            return (RunDeliveryStatus.Delivered, null);
        }
        catch (Exception ex)
        {
            LogPortFailure(Logger, ex, "delivery", RunId);
            return (RunDeliveryStatus.Failed, ex);
        }
    }

    // ---- caller ---------------------------------------------------------------------------------------------------

    /// <summary>Resolves the caller: the request's, else the parent run's, else the resolver's. A throwing resolver propagates.</summary>
    public async ValueTask<CallerIdentity> ResolveCallerAsync(RunRequest request, RunContext? parent, ICallerIdentityResolver? resolver, CancellationToken token)
    {
        if ((request.Caller ?? parent?.Caller) is { } known)
        {
            return known;
        }

        if (resolver is null or AnonymousCallerIdentityResolver)
        {
            return CallerIdentity.Anonymous;
        }

        CallerIdentity resolved = await resolver.ResolveAsync(
            new CallerResolutionContext { Context = request.CallerContext, AgentName = request.Agent.Name, RunId = RunId }, token).ConfigureAwait(false);
        return resolved ?? throw new InvalidOperationException($"The caller identity resolver {resolver.GetType().Name} returned null.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the {Port} failed; the run goes on.")]
    private static partial void LogPortFailure(ILogger logger, Exception exception, string port, string runId);
}
