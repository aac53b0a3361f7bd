using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Executus.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Checkpoints;

/// <summary>
/// The run kernel's <see cref="ICheckpointer"/> over an <see cref="ICheckpointStore"/>: throttled saves that never lose
/// the latest state at a boundary that matters, append-only message writes, and clean-up of finished runs.
/// </summary>
/// <remarks>
/// <para>Throttle: a turn snapshot (<see cref="CheckpointBoundary.Turn"/>) is written when the run's last write is at
/// least <see cref="CheckpointOptions.MinInterval"/> old, measured between the snapshots' <see cref="RunCheckpoint.SavedAt"/>
/// (a run's first snapshot always is); otherwise it becomes the
/// run's pending latest state. A snapshot taken before tools with side effects
/// (<see cref="CheckpointBoundary.BeforeSideEffects"/>) or at the run's end (<see cref="CheckpointBoundary.RunEnd"/>)
/// is written at once, and <see cref="FlushAsync"/> (called when the container disposes this object, and by
/// <see cref="InterruptedRunRecovery"/> at shutdown) writes every pending state.</para>
/// <para>Ending: <see cref="CompleteAsync"/> and <see cref="FailAsync"/> delete the run's checkpoint, so only
/// interrupted runs stay recovery candidates; a cancelled run (host shutdown, <c>RunHandle</c> cancel) keeps it.</para>
/// <para>Failure policy (decided): a store that throws never ends or fails the run. The kernel treats the checkpoint
/// port as best effort, and so does this class: the failure is logged, counted (<see cref="FailedWrites"/> and the
/// <c>executus.checkpoint.writes</c> counter with <c>result=failed</c>) and the snapshot stays pending, so the next
/// boundary writes the whole state again. Why: a run that cannot be checkpointed is no worse than a run without
/// checkpointing — only its crash-resumability is lost, while stopping it would turn a storage hiccup into lost work
/// and an undelivered answer. A host that must not run without durable checkpoints alerts on the counter.</para>
/// <para>Leases (when a <see cref="RunLeaseKeeper"/> is given, i.e. <see cref="RunLeaseOptions.Enabled"/>): a run's
/// first save claims its lease for this host (a run the recovery claimed is already held). A run another host holds is
/// not written and not deleted here. A run whose lease another host took over after this host missed heartbeats is
/// stopped: its next save throws <see cref="RunOwnershipLostException"/>, which ends the run before any further tool
/// call with side effects, without delivery and without touching the checkpoint (the other host owns it now; logged and counted by the
/// keeper). A run interrupted here
/// (<see cref="CheckpointBoundary.RunEnd"/>) gives its lease back, so any host may resume it at once; a completed or
/// failed run's checkpoint is deleted and its lease ends with it.</para>
/// </remarks>
public sealed partial class StoreCheckpointer : ICheckpointer, IAsyncDisposable, IDisposable
{
    /// <summary>The name of this battery's meter.</summary>
    public const string MeterName = ExecutusTelemetry.CheckpointMeterName;

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_writes = s_meter.CreateCounter<long>("executus.checkpoint.writes", description: "Checkpoint saves by result: written, skipped (throttled), failed, or not_owner (another host holds the run's lease).");
    private static readonly Counter<long> s_deletes = s_meter.CreateCounter<long>("executus.checkpoint.deletes", description: "Checkpoints deleted because their run completed or failed.");

    private readonly ICheckpointStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _minInterval;
    private readonly RunLeaseKeeper? _leases;
    private readonly ConcurrentDictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private LastRun? _last;
    private long _written;
    private long _skipped;
    private long _failed;

    /// <summary>Initializes a new checkpointer.</summary>
    /// <param name="store">Where checkpoints go.</param>
    /// <param name="options">The throttle; defaults when null.</param>
    /// <param name="timeProvider">The clock for the throttle; the system clock when null.</param>
    /// <param name="logger">Logs store failures; none when null.</param>
    /// <param name="leases">This host's run leases when hosts share the store; none when null (single host).</param>
    public StoreCheckpointer(ICheckpointStore store, CheckpointOptions? options = null, TimeProvider? timeProvider = null, ILogger<StoreCheckpointer>? logger = null, RunLeaseKeeper? leases = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new CheckpointOptions();
        options.Validate();
        _store = store;
        _minInterval = options.MinInterval;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _leases = leases;
    }

    /// <summary>Gets the store.</summary>
    public ICheckpointStore Store => _store;

    /// <summary>Gets this host's run leases, or null when runs are not leased.</summary>
    public RunLeaseKeeper? Leases => _leases;

    /// <summary>Gets how many snapshots were written to the store.</summary>
    public long WrittenSaves => Interlocked.Read(ref _written);

    /// <summary>Gets how many turn snapshots the throttle kept pending instead of writing.</summary>
    public long SkippedSaves => Interlocked.Read(ref _skipped);

    /// <summary>Gets how many store writes or deletes failed (logged; the run went on).</summary>
    public long FailedWrites => Interlocked.Read(ref _failed);

    /// <summary>Gets whether <paramref name="runId"/> is running in this process and has saved at least once.</summary>
    /// <param name="runId">The run.</param>
    /// <returns><see langword="true"/> when the run is live here (so its checkpoint is not an interrupted one).</returns>
    public bool IsLive(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _runs.ContainsKey(runId);
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        RunState state = StateOf(checkpoint.RunId);

        // Why: a turn inside the throttle window (most turns) is decided synchronously, without async state; a write,
        // a lease check, another boundary or a busy gate takes the full path.
        if (_leases is null && checkpoint.Boundary == CheckpointBoundary.Turn && !cancellationToken.IsCancellationRequested && state.TryEnterQuick())
        {
            // Why: taking the minimum again on the full path is harmless, so this may run before falling back to it.
            state.ValidPrefix = Math.Min(state.ValidPrefix, Math.Max(0, savedMessageCount));
            if (!IsDue(state, checkpoint))
            {
                Skip(state, checkpoint);
                state.ExitQuick();
                return default;
            }

            if (state.Gate.Wait(0, CancellationToken.None))
            {
                return WriteHeldAsync(state, checkpoint, cancellationToken);
            }

            state.ExitQuick();
        }

        return SaveCoreAsync(state, checkpoint, savedMessageCount, cancellationToken);
    }

    private async ValueTask WriteHeldAsync(RunState state, RunCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(state, checkpoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            state.Exit();
        }
    }

    /// <summary>The state of <paramref name="runId"/>'s run, created on its first save.</summary>
    /// <remarks>
    /// Why: a run saves with the same id string every turn; the last run's state is remembered by that reference instead
    /// of hashing the id each turn. A forgotten state (the run ended) is never returned from the cache.
    /// </remarks>
    private RunState StateOf(string runId)
    {
        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.RunId, runId) && !last.State.Forgotten)
        {
            return last.State;
        }

        RunState state = _runs.GetOrAdd(runId, static _ => new RunState());
        Volatile.Write(ref _last, new LastRun(runId, state));
        return state;
    }

    private bool Forget(string runId, [NotNullWhen(true)] out RunState? state)
    {
        if (!_runs.TryRemove(runId, out state))
        {
            return false;
        }

        state.Forgotten = true;
        return true;
    }

    private bool IsDue(RunState state, RunCheckpoint checkpoint)
    {
        // Why: the interval is measured between the snapshots' own times (the kernel stamps each one), so a throttled
        // turn costs no clock read; a snapshot without a time, or one older than the last write (the clock moved
        // back), is timed by this checkpointer's clock.
        DateTimeOffset savedAt = checkpoint.SavedAt == default ? _time.GetUtcNow() : checkpoint.SavedAt;
        return checkpoint.Boundary != CheckpointBoundary.Turn
            || state.LastWrite is not { } last
            || savedAt < last
            || savedAt - last >= _minInterval;
    }

    private void Skip(RunState state, RunCheckpoint checkpoint)
    {
        state.Pending = checkpoint;
        Interlocked.Increment(ref _skipped);
        s_writes.Add(1, new KeyValuePair<string, object?>("result", "skipped"));
    }

    private async ValueTask SaveCoreAsync(RunState state, RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken)
    {
        await state.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Why: the kernel's count is relative to its previous save call, which may have been skipped; the store
            // holds a valid prefix only up to the smallest count seen since the last real write (compaction: 0).
            state.ValidPrefix = Math.Min(state.ValidPrefix, Math.Max(0, savedMessageCount));
            if (_leases is not null && !await OwnsAsync(state, checkpoint.RunId, cancellationToken).ConfigureAwait(false))
            {
                if (state.Leased == true && _leases.HasLost(checkpoint.RunId) && checkpoint.Boundary != CheckpointBoundary.RunEnd)
                {
                    // Why: another host resumed this run after this host missed heartbeats; going on would run its
                    // tools twice. The kernel stops the run on this exception (before any further tool call with side effects).
                    Forget(checkpoint.RunId, out _);
                    _leases.Forget(checkpoint.RunId);
                    LogTakenOver(_logger, checkpoint.RunId);
                    throw new RunOwnershipLostException(
                        $"Run {checkpoint.RunId} was taken over by another host (this host missed its lease's heartbeats); this host stopped it.")
                    {
                        RunId = checkpoint.RunId,
                    };
                }

                if (checkpoint.Boundary == CheckpointBoundary.RunEnd)
                {
                    Forget(checkpoint.RunId, out _);
                }

                return;
            }

            if (!IsDue(state, checkpoint))
            {
                Skip(state, checkpoint);
                return;
            }

            await WriteAsync(state, checkpoint, cancellationToken).ConfigureAwait(false);
            if (checkpoint.Boundary == CheckpointBoundary.RunEnd && state.Pending is null)
            {
                Forget(checkpoint.RunId, out _);
                await ReleaseLeaseAsync(checkpoint.RunId).ConfigureAwait(false);
            }
        }
        finally
        {
            state.Exit();
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => EndAsync(runId, cancellationToken);

    /// <inheritdoc />
    public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default) => EndAsync(runId, cancellationToken);

    /// <summary>Writes every run's pending state (shutdown: nothing the throttle held back is lost).</summary>
    /// <param name="cancellationToken">A token to stop flushing.</param>
    /// <returns>How many pending states were written.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        int flushed = 0;
        foreach (KeyValuePair<string, RunState> pair in _runs)
        {
            RunState state = pair.Value;
            await state.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (state.Pending is { } pending
                    && (_leases is null || _leases.Holds(pair.Key))
                    && await WriteAsync(state, pending, cancellationToken).ConfigureAwait(false))
                {
                    flushed++;
                    if (pending.Boundary == CheckpointBoundary.RunEnd && Forget(pair.Key, out _))
                    {
                        await ReleaseLeaseAsync(pair.Key).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                state.Exit();
            }
        }

        return flushed;
    }

    /// <summary>Flushes pending states.</summary>
    /// <returns>A task that completes when flushed.</returns>
    public async ValueTask DisposeAsync() => await FlushAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>Flushes pending states, blocking until written.</summary>
    /// <remarks>
    /// Why: a container disposed synchronously (<c>using var provider</c>) throws for a singleton that is only
    /// <see cref="IAsyncDisposable"/>, and dropping the pending states would lose the latest turn of every run.
    /// </remarks>
    public void Dispose() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async ValueTask<bool> WriteAsync(RunState state, RunCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        try
        {
            await _store.SaveAsync(checkpoint, Math.Min(state.ValidPrefix, checkpoint.Messages.Count), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            state.Pending = checkpoint;
            Interlocked.Increment(ref _failed);
            s_writes.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            LogWriteFailed(_logger, ex, checkpoint.RunId, checkpoint.Boundary);
            return false;
        }

        state.ValidPrefix = checkpoint.Messages.Count;
        state.Pending = null;
        state.LastWrite = checkpoint.SavedAt == default ? _time.GetUtcNow() : checkpoint.SavedAt;
        Interlocked.Increment(ref _written);
        s_writes.Add(1, new KeyValuePair<string, object?>("result", "written"));
        return true;
    }

    private async ValueTask EndAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (Forget(runId, out RunState? state))
        {
            // Why: wait for a save in progress so it cannot re-create the record after the delete.
            await state.EnterAsync(cancellationToken).ConfigureAwait(false);
            state.Pending = null;
            state.Exit();
        }

        if (_leases is not null && (state?.Leased == false || _leases.HasLost(runId)))
        {
            // Why: another host holds this run (it refused us, or took it over); its checkpoint is that host's now.
            _leases.Forget(runId);
            return;
        }

        try
        {
            if (await _store.DeleteAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                s_deletes.Add(1);
            }

            _leases?.Forget(runId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            s_writes.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            LogDeleteFailed(_logger, ex, runId);
        }
    }

    private async ValueTask<bool> OwnsAsync(RunState state, string runId, CancellationToken cancellationToken)
    {
        if (state.Leased is null)
        {
            try
            {
                state.Leased = _leases!.Holds(runId) || await _leases.ClaimAsync(runId, cancellationToken).ConfigureAwait(false) is not null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Why: like a failed write, a failed claim never ends the run; the next save tries again.
                Interlocked.Increment(ref _failed);
                s_writes.Add(1, new KeyValuePair<string, object?>("result", "failed"));
                LogClaimFailed(_logger, ex, runId);
                return false;
            }
        }

        if (state.Leased == true && _leases!.Holds(runId))
        {
            return true;
        }

        s_writes.Add(1, new KeyValuePair<string, object?>("result", "not_owner"));
        return false;
    }

    private async ValueTask ReleaseLeaseAsync(string runId)
    {
        if (_leases is null)
        {
            return;
        }

        try
        {
            await _leases.ReleaseAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Why: the lease then expires after its duration (or the next heartbeat releases it as a stray).
            LogReleaseFailed(_logger, ex, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: another host took the run over (its lease was lost); the run is stopped here.")]
    private static partial void LogTakenOver(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: claiming its lease failed; its checkpoint is not written until a later save claims it.")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: giving its lease back failed; another host can resume it once the lease expires.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: writing its checkpoint ({Boundary}) failed; the run goes on and the state is written again at the next boundary.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string runId, CheckpointBoundary boundary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: deleting its checkpoint after it ended failed; it stays listed as interrupted until deleted or pruned.")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string runId);

    /// <summary>The run whose state was looked up last (see <see cref="StateOf"/>).</summary>
    private sealed record LastRun(string RunId, RunState State);

    /// <summary>
    /// One run's state. Two locks guard it: <see cref="Gate"/> orders the paths that may wait (writes, flush, end), and
    /// a flag taken with one atomic operation lets a throttled turn (the common case) update the state without the
    /// semaphore. Every path that changes the state holds the flag; the waiting paths take it after the gate.
    /// </summary>
    private sealed class RunState
    {
        private int _busy;
        private volatile bool _forgotten;

        /// <summary>Gets or sets whether the run's state was removed (its run ended); a cached reference must not be used.</summary>
        public bool Forgotten
        {
            get => _forgotten;
            set => _forgotten = value;
        }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public RunCheckpoint? Pending { get; set; }

        public int ValidPrefix { get; set; } = int.MaxValue;

        public DateTimeOffset? LastWrite { get; set; }

        /// <summary>Gets or sets whether this host leased the run: null = not asked yet (or leases are off).</summary>
        public bool? Leased { get; set; }

        /// <summary>Takes the flag if free (never waits).</summary>
        public bool TryEnterQuick() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

        /// <summary>Gives the flag back (after <see cref="TryEnterQuick"/> alone).</summary>
        public void ExitQuick() => Volatile.Write(ref _busy, 0);

        /// <summary>Takes the gate, then the flag (held by a quick path for a few instructions at most).</summary>
        public async ValueTask EnterAsync(CancellationToken cancellationToken)
        {
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            SpinWait spin = default;
            while (!TryEnterQuick())
            {
                spin.SpinOnce();
            }
        }

        /// <summary>Gives back the flag and the gate.</summary>
        public void Exit()
        {
            ExitQuick();
            Gate.Release();
        }
    }
}
