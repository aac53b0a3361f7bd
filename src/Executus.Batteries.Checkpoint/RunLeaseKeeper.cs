using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Checkpoints;

/// <summary>
/// This host's run leases: claims runs (for <see cref="StoreCheckpointer"/> when a run starts checkpointing, and for
/// <see cref="InterruptedRunRecovery"/> when it takes interrupted runs), renews them with a heartbeat every
/// <see cref="RunLeaseOptions.HeartbeatInterval"/>, notices leases another host took over, and gives them back when a
/// run is interrupted or the host stops, so several hosts can share one checkpoint store.
/// </summary>
/// <remarks>
/// <para>The heartbeat is a <see cref="TimeProvider"/> timer that runs while the keeper lives (no hosted service
/// needed); a beat renews every lease the host owns in the store (<see cref="IRunLeaseStore.RenewAsync"/>), drops from
/// <see cref="Holds"/> the runs whose lease is no longer its own (logged and counted as lost: another host took the run
/// after this host missed heartbeats, so this host's checkpointer stops writing it), and releases leases the store says
/// it owns but it does not track (a failed release, or leases of a crashed predecessor with the same
/// <see cref="RunLeaseOptions.HostId"/>). Disposing stops the timer and releases every lease.</para>
/// <para>Telemetry (meter <c>Executus.Checkpoint</c>): <c>executus.checkpoint.leases.claimed</c> (tag <c>source</c>:
/// <c>run</c> or <c>recovery</c>), <c>executus.checkpoint.leases.taken_over</c> (recovery claims of a run an earlier
/// holder had: its lease expired or was released), <c>executus.checkpoint.leases.renewed</c>,
/// <c>executus.checkpoint.leases.lost</c>, <c>executus.checkpoint.leases.refused</c> (a run another host holds) and
/// <c>executus.checkpoint.leases.released</c>, each tagged <c>executus.host</c> with the host id.</para>
/// </remarks>
public sealed partial class RunLeaseKeeper : IAsyncDisposable, IDisposable
{
    private static readonly Meter s_meter = new(ExecutusTelemetry.CheckpointMeterName);
    private static readonly Counter<long> s_claimed = s_meter.CreateCounter<long>("executus.checkpoint.leases.claimed", description: "Run leases claimed by this host, by source: run (a run started checkpointing) or recovery (an interrupted run).");
    private static readonly Counter<long> s_takenOver = s_meter.CreateCounter<long>("executus.checkpoint.leases.taken_over", description: "Interrupted runs claimed from an earlier holder whose lease expired or was released.");
    private static readonly Counter<long> s_renewed = s_meter.CreateCounter<long>("executus.checkpoint.leases.renewed", description: "Run leases renewed by heartbeats.");
    private static readonly Counter<long> s_lost = s_meter.CreateCounter<long>("executus.checkpoint.leases.lost", description: "Run leases this host found taken over by another host (it missed heartbeats).");
    private static readonly Counter<long> s_refused = s_meter.CreateCounter<long>("executus.checkpoint.leases.refused", description: "Runs this host could not lease because another host holds them.");
    private static readonly Counter<long> s_released = s_meter.CreateCounter<long>("executus.checkpoint.leases.released", description: "Run leases given back (run interrupted, host stopping, stray lease).");

    private readonly IRunLeaseStore _store;
    private readonly RunLeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, RunLease> _held = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lost = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    // Why: claims and beats are serialized so a beat never mistakes a lease claimed a moment ago (not tracked yet) for a stray.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _timer;
    private readonly KeyValuePair<string, object?> _hostTag;
    private int _beating;
    private bool _disposed;

    /// <summary>Initializes a new keeper and starts its heartbeat.</summary>
    /// <param name="store">The lease store (the checkpoint store).</param>
    /// <param name="options">The lease settings; validated.</param>
    /// <param name="timeProvider">The clock for expiries and the heartbeat timer; the system clock when null.</param>
    /// <param name="logger">Logs lost leases and failed beats; none when null.</param>
    public RunLeaseKeeper(IRunLeaseStore store, RunLeaseOptions options, TimeProvider? timeProvider = null, ILogger<RunLeaseKeeper>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        HostId = options.HostId;
        _hostTag = new KeyValuePair<string, object?>("executus.host", HostId);
        _timer = _time.CreateTimer(static state => ((RunLeaseKeeper)state!).OnTimer(), this, options.HeartbeatInterval, options.HeartbeatInterval);
    }

    /// <summary>Gets this host's id (the owner of its leases).</summary>
    public string HostId { get; }

    /// <summary>Gets the lease settings.</summary>
    public RunLeaseOptions Options => _options;

    /// <summary>Gets the lease store.</summary>
    public IRunLeaseStore Store => _store;

    /// <summary>Gets the leases this host holds, as of its last claim or beat.</summary>
    public IReadOnlyCollection<RunLease> Held
    {
        get
        {
            lock (_lock)
            {
                return [.. _held.Values];
            }
        }
    }

    /// <summary>Gets whether this host holds <paramref name="runId"/>'s lease (claimed and not lost since).</summary>
    /// <param name="runId">The run.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool Holds(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_lock)
        {
            return _held.ContainsKey(runId);
        }
    }

    /// <summary>Gets whether this host held <paramref name="runId"/>'s lease and another host took it over.</summary>
    /// <param name="runId">The run.</param>
    /// <returns><see langword="true"/> when the lease was lost.</returns>
    public bool HasLost(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_lock)
        {
            return _lost.Contains(runId);
        }
    }

    /// <summary>Claims (or renews) one run's lease for this host.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The lease, or <see langword="null"/> when another host holds the run.</returns>
    public async ValueTask<RunLease?> ClaimAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RunLease? lease = await _store.TryClaimAsync(runId, HostId, _time.GetUtcNow(), _options.Duration, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                s_refused.Add(1, _hostTag);
                LogRefused(_logger, runId);
                return null;
            }

            bool isNew;
            lock (_lock)
            {
                isNew = _held.TryAdd(runId, lease);
                _held[runId] = lease;
                _lost.Remove(runId);
            }

            if (isNew)
            {
                s_claimed.Add(1, _hostTag, new KeyValuePair<string, object?>("source", "run"));
            }

            return lease;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Claims up to <paramref name="limit"/> interrupted runs (no live lease) for this host.</summary>
    /// <param name="limit">How many at most (1–1000).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The claimed leases, ordered by run id.</returns>
    public async ValueTask<IReadOnlyList<RunLease>> ClaimInterruptedAsync(int limit, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<RunLease> claimed = await _store.ClaimInterruptedAsync(HostId, _time.GetUtcNow(), _options.Duration, limit, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (RunLease lease in claimed)
                {
                    _held[lease.RunId] = lease;
                    _lost.Remove(lease.RunId);
                }
            }

            if (claimed.Count > 0)
            {
                s_claimed.Add(claimed.Count, _hostTag, new KeyValuePair<string, object?>("source", "recovery"));
                int takenOver = claimed.Count(l => l.Token > 1);
                if (takenOver > 0)
                {
                    s_takenOver.Add(takenOver, _hostTag);
                }
            }

            return claimed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives a run's lease back (the run was interrupted here: another host, or this one, may resume it at once).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when this host held it and the store released it.</returns>
    public async ValueTask<bool> ReleaseAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        RunLease? lease;
        lock (_lock)
        {
            _lost.Remove(runId);
            if (!_held.Remove(runId, out lease))
            {
                return false;
            }
        }

        bool released = await _store.ReleaseAsync(lease, cancellationToken).ConfigureAwait(false);
        if (released)
        {
            s_released.Add(1, _hostTag);
        }

        return released;
    }

    /// <summary>Stops tracking a run whose checkpoint was deleted (its lease ended with it).</summary>
    /// <param name="runId">The run.</param>
    public void Forget(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_lock)
        {
            _held.Remove(runId);
            _lost.Remove(runId);
        }
    }

    /// <summary>
    /// One heartbeat now: renews this host's leases, notes the ones lost to another host, and releases leases the store
    /// says this host owns that it does not track.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>How many leases this host holds after the beat.</returns>
    public async ValueTask<int> HeartbeatAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<RunLease> renewed = await _store.RenewAsync(HostId, _time.GetUtcNow(), _options.Duration, cancellationToken).ConfigureAwait(false);
            var strays = new List<RunLease>();
            var lost = new List<string>();
            int held;
            lock (_lock)
            {
                var owned = new HashSet<string>(StringComparer.Ordinal);
                foreach (RunLease lease in renewed)
                {
                    owned.Add(lease.RunId);
                    if (_held.ContainsKey(lease.RunId))
                    {
                        _held[lease.RunId] = lease;
                    }
                    else
                    {
                        strays.Add(lease);
                    }
                }

                foreach (string runId in _held.Keys)
                {
                    if (!owned.Contains(runId))
                    {
                        lost.Add(runId);
                    }
                }

                foreach (string runId in lost)
                {
                    _held.Remove(runId);
                    _lost.Add(runId);
                }

                held = _held.Count;
            }

            s_renewed.Add(renewed.Count - strays.Count, _hostTag);
            foreach (string runId in lost)
            {
                s_lost.Add(1, _hostTag);
                LogLost(_logger, runId);
            }

            foreach (RunLease stray in strays)
            {
                if (await _store.ReleaseAsync(stray, cancellationToken).ConfigureAwait(false))
                {
                    s_released.Add(1, _hostTag);
                    LogStrayReleased(_logger, stray.RunId);
                }
            }

            return held;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives back every lease this host holds (the host is stopping: other hosts may take its runs at once).</summary>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>How many leases the store released.</returns>
    public async ValueTask<int> ReleaseAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _held.Clear();
        }

        int released = await _store.ReleaseAllAsync(HostId, cancellationToken).ConfigureAwait(false);
        if (released > 0)
        {
            s_released.Add(released, _hostTag);
            LogReleasedAll(_logger, released, HostId);
        }

        return released;
    }

    /// <summary>Stops the heartbeat and releases every lease this host holds.</summary>
    /// <returns>A task that completes when released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await ReleaseAllAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Why: disposal must not throw; the leases then simply expire after Duration.
            LogReleaseFailed(_logger, ex);
        }
    }

    /// <summary>Stops the heartbeat and releases every lease, blocking until released.</summary>
    /// <remarks>Why: a container disposed synchronously throws for a singleton that is only <see cref="IAsyncDisposable"/>.</remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void OnTimer()
    {
        if (_disposed || Interlocked.Exchange(ref _beating, 1) == 1)
        {
            return;
        }

        _ = BeatAsync();
    }

    private async Task BeatAsync()
    {
        try
        {
            await HeartbeatAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (!_disposed)
            {
                LogBeatFailed(_logger, ex, HostId);
            }
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: another host holds its lease; this host does not checkpoint or resume it.")]
    private static partial void LogRefused(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: its lease was taken over by another host (this host missed heartbeats); this host stops checkpointing it.")]
    private static partial void LogLost(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: released a lease this host owned in the store but did not track (a failed release or a previous process with the same host id).")]
    private static partial void LogStrayReleased(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Count} run lease(s) of host {HostId}.")]
    private static partial void LogReleasedAll(ILogger logger, int count, string hostId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run-lease heartbeat of host {HostId} failed; leases expire unless a later beat succeeds.")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception, string hostId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the run leases at disposal failed; they expire on their own.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
