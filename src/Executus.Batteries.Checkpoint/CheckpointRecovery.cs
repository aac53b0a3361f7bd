using System.Globalization;
using Executus.Auditing;
using Executus.Lanes;
using Executus.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Checkpoints;

/// <summary>
/// The host's handle on interrupted runs: list them, resume one by id through the <see cref="Executor"/> (optionally on
/// a <see cref="Lane"/>), or abandon one. <see cref="InterruptedRunRecovery"/> uses it at boot.
/// </summary>
/// <remarks>
/// A resumed run keeps its run id, iteration count, usage and elapsed time (<see cref="RunRequest.Resume(RunCheckpoint, RunnableAgent)"/>).
/// Its agent is rebuilt from the <see cref="IAgentCatalog"/> by name and version when the catalog has that version
/// (the catalog wins: live options, tools, instructions as the host defines them now), else from the checkpoint's
/// <see cref="AgentSnapshot"/>; which one is said in the request metadata key <see cref="AgentSourceMetadataKey"/>
/// (<c>catalog</c> or <c>snapshot</c>), which the kernel copies into the run's <see cref="AuditEventKind.RunResumed"/>
/// audit event. Tool calls that were in flight are answered by the kernel (re-run when safe to repeat, else an
/// "interrupted" result the model sees).
/// <para>With run leases (the checkpointer's <see cref="StoreCheckpointer.Leases"/>), resuming or abandoning a run first
/// claims its lease: a run another host holds (live there, or being resumed there) is refused with an
/// <see cref="InvalidOperationException"/> naming the holder.</para>
/// </remarks>
public sealed partial class CheckpointRecovery
{
    /// <summary>The request metadata key that says where a resumed run's agent came from: <c>catalog</c> or <c>snapshot</c>.</summary>
    public const string AgentSourceMetadataKey = "executus.checkpoint.agentSource";

    private readonly ICheckpointStore _store;
    private readonly Executor _executor;
    private readonly IAgentCatalog? _catalog;
    private readonly IAudit? _audit;
    private readonly StoreCheckpointer? _checkpointer;
    private readonly RunLeaseKeeper? _leases;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The checkpoint store.</param>
    /// <param name="executor">Runs resumed runs.</param>
    /// <param name="catalog">Where agents are looked up by name and version; snapshots only when null.</param>
    /// <param name="audit">Records abandoned runs; nothing when null.</param>
    /// <param name="checkpointer">This process's checkpointer: runs live in it are not listed as interrupted; its leases, if any, are claimed before a resume or abandon.</param>
    /// <param name="timeProvider">The clock for audit timestamps; the system clock when null.</param>
    /// <param name="logger">Logs decisions; none when null.</param>
    public CheckpointRecovery(
        ICheckpointStore store,
        Executor executor,
        IAgentCatalog? catalog = null,
        IAudit? audit = null,
        StoreCheckpointer? checkpointer = null,
        TimeProvider? timeProvider = null,
        ILogger<CheckpointRecovery>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(executor);
        _store = store;
        _executor = executor;
        _catalog = catalog;
        _audit = audit is NullAudit ? null : audit;
        _checkpointer = checkpointer;
        _leases = checkpointer?.Leases;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the checkpoint store.</summary>
    public ICheckpointStore Store => _store;

    /// <summary>Gets the executor resumed runs go through.</summary>
    public Executor Executor => _executor;

    /// <summary>Lists interrupted runs: runs with a checkpoint that are not running in this process.</summary>
    /// <param name="limit">How many at most (1–1000).</param>
    /// <param name="cursor">The previous page's <see cref="CheckpointPage.NextCursor"/>, or null.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The page (it may hold fewer than <paramref name="limit"/> items and still have a next cursor).</returns>
    public async ValueTask<CheckpointPage> ListInterruptedAsync(int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        CheckpointPage page = await _store.ListInterruptedAsync(limit, cursor, cancellationToken).ConfigureAwait(false);
        if (_checkpointer is null || !page.Items.Any(s => _checkpointer.IsLive(s.RunId)))
        {
            return page;
        }

        return page with { Items = [.. page.Items.Where(s => !_checkpointer.IsLive(s.RunId))] };
    }

    /// <summary>Builds the request that resumes <paramref name="runId"/> (agent from the catalog or the snapshot).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The request, under the same run id and iteration count.</returns>
    /// <exception cref="CheckpointNotFoundException">The run has no checkpoint.</exception>
    /// <exception cref="NotSupportedException">The checkpoint was written with another schema version.</exception>
    public async ValueTask<RunRequest> PrepareResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunCheckpoint checkpoint = await _store.GetAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw CheckpointNotFoundException.For(runId);
        RunnableAgent? agent = _catalog is null
            ? null
            : await _catalog.GetAsync(checkpoint.Agent.Name, checkpoint.Agent.Version, cancellationToken).ConfigureAwait(false);
        string source = agent is null ? "snapshot" : "catalog";
        agent ??= checkpoint.Agent.ToRunnable();
        var metadata = new Dictionary<string, string>(checkpoint.Metadata, StringComparer.Ordinal) { [AgentSourceMetadataKey] = source };
        LogResuming(_logger, runId, checkpoint.Iteration, source);
        return RunRequest.Resume(checkpoint with { Metadata = metadata }, agent);
    }

    /// <summary>Resumes <paramref name="runId"/> through the executor and returns its result.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="lane">A lane to run it on (keyed by the caller's fairness key), or null to run it directly.</param>
    /// <param name="cancellationToken">Cancels the resumed run (it then keeps its checkpoint).</param>
    /// <returns>The run's result.</returns>
    /// <exception cref="CheckpointNotFoundException">The run has no checkpoint.</exception>
    /// <exception cref="InvalidOperationException">The run is live in this process, or another host holds its lease.</exception>
    public async Task<RunResult> ResumeAsync(string runId, Lane? lane = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        if (_checkpointer?.IsLive(runId) == true)
        {
            throw new InvalidOperationException($"Run '{runId}' is running in this process; it cannot be resumed twice.");
        }

        RunRequest request = await PrepareResumeAsync(runId, cancellationToken).ConfigureAwait(false);
        await ClaimAsync(runId, cancellationToken).ConfigureAwait(false);
        if (lane is null)
        {
            return await _executor.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }

        string key = request.ResumedFrom!.Caller.FairnessKey;
        return await lane.RunAsync(key, ct => _executor.RunAsync(request, ct), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Abandons an interrupted run: deletes its checkpoint (it is no longer a recovery candidate) and audits it as a
    /// run that finished <see cref="RunOutcome.Failed"/> (<c>abandoned=true</c> in the data, the reason as the detail).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="reason">Why, for the audit trail.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when the run had a checkpoint.</returns>
    /// <exception cref="InvalidOperationException">Another host holds the run's lease.</exception>
    public async ValueTask<bool> AbandonAsync(string runId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        RunCheckpoint? checkpoint = await _store.GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null)
        {
            return false;
        }

        await ClaimAsync(runId, cancellationToken).ConfigureAwait(false);

        if (_audit is not null)
        {
            await _audit.RecordAsync(
                new AuditEvent(AuditEventKind.RunFinished, _time.GetUtcNow())
                {
                    RunId = runId,
                    AgentName = checkpoint.Agent.Name,
                    Caller = checkpoint.Caller,
                    Iteration = checkpoint.Iteration,
                    Usage = checkpoint.Usage,
                    Detail = reason,
                    Data = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["outcome"] = nameof(RunOutcome.Failed),
                        ["abandoned"] = "true",
                        ["iterations"] = checkpoint.Iteration.ToString(CultureInfo.InvariantCulture),
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }

        bool deleted = await _store.DeleteAsync(runId, cancellationToken).ConfigureAwait(false);
        _leases?.Forget(runId);
        LogAbandoned(_logger, runId, reason);
        return deleted;
    }

    private async ValueTask ClaimAsync(string runId, CancellationToken cancellationToken)
    {
        if (_leases is null || _leases.Holds(runId))
        {
            return;
        }

        if (await _leases.ClaimAsync(runId, cancellationToken).ConfigureAwait(false) is null)
        {
            RunLease? holder = await _leases.Store.GetLeaseAsync(runId, cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"Run '{runId}' is leased by host '{holder?.Owner}' until {holder?.ExpiresAt:u}; it runs or is being resumed there.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: resuming at iteration {Iteration} with the agent from the {Source}.")]
    private static partial void LogResuming(ILogger logger, string runId, int iteration, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: abandoned ({Reason}).")]
    private static partial void LogAbandoned(ILogger logger, string runId, string reason);
}
