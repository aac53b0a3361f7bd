namespace Executus.Runs;

/// <summary>
/// A run's hard deadline and stop switch: one token for the run's work, cancelled when the deadline passes, when the
/// caller cancels (attached runs), or when someone stops the run through its handle or a critic's verdict.
/// </summary>
/// <remarks>
/// Why its own timer instead of <c>CancellationTokenSource.CancelAfter</c>: an extension must never compute a negative
/// due time, a deadline that fired while the critic was deciding to extend must be revivable (a fresh token), and a
/// timeout longer than one platform timer period (~49.7 days) is kept by re-arming.
/// </remarks>
internal sealed class RunDeadline : IDisposable
{
    private static readonly TimeSpan MaxDue = TimeSpan.FromDays(49);

    // Why: the coarse system tick lags the precise clock by at most a scheduler tick (a few milliseconds); a deadline
    // further off than this margin is not due whatever the lag.
    private const long CoarseMarginMilliseconds = 100;

    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly long _startTick;
    private readonly bool _systemClock;
    private readonly TimeSpan _before;
    private readonly CancellationToken _caller;
    private readonly Lock _lock = new();
    private readonly List<CancellationTokenSource> _retired = [];
    private CancellationTokenSource _cts;
    private ITimer? _timer;
    private TimeSpan _limit;
    private bool _expired;
    private RunOutcome? _stopOutcome;
    private string? _stopReason;
    private bool _disposed;
    private bool _armed;

    public RunDeadline(TimeProvider time, TimeSpan limit, TimeSpan before, CancellationToken caller)
    {
        _time = time;
        _start = time.GetTimestamp();
        _startTick = Environment.TickCount64;
        _systemClock = ReferenceEquals(time, TimeProvider.System);
        _before = before;
        _limit = limit;
        _caller = caller;
        _cts = NewSource();
    }

    public CancellationToken Token => Volatile.Read(ref _cts).Token;

    public TimeSpan Elapsed => _before + _time.GetElapsedTime(_start);

    /// <summary>Gets the run's elapsed time at a timestamp the caller read.</summary>
    public TimeSpan ElapsedAt(long timestamp) => _before + _time.GetElapsedTime(_start, timestamp);

    /// <summary>Gets the timestamp (<see cref="TimeProvider.GetTimestamp"/>) this deadline started at.</summary>
    public long StartTimestamp => _start;

    /// <summary>Gets the time the run had used before this process started it (a resumed run's earlier elapsed).</summary>
    public TimeSpan Before => _before;

    public TimeSpan Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    public bool IsInfinite => Limit == Timeout.InfiniteTimeSpan;

    public bool IsExpired => Volatile.Read(ref _expired);

    public bool IsStopped => _stopOutcome is not null;

    public (RunOutcome Outcome, string? Reason) StopResult
    {
        get
        {
            lock (_lock)
            {
                return (_stopOutcome ?? RunOutcome.Stopped, _stopReason);
            }
        }
    }

    /// <summary>Moves the deadline later; revives the run's token if the deadline had fired and the new one is still ahead.</summary>
    public void Extend(TimeSpan extension)
    {
        lock (_lock)
        {
            if (_limit == Timeout.InfiniteTimeSpan || _disposed)
            {
                return;
            }

            _limit = TimeSpan.MaxValue - _limit <= extension ? TimeSpan.MaxValue : _limit + extension;
            if (_expired && _stopOutcome is null && !_caller.IsCancellationRequested && Elapsed < _limit)
            {
                _retired.Add(_cts);
                Volatile.Write(ref _cts, NewSource());
                Volatile.Write(ref _expired, false);
            }

            if (_armed)
            {
                Arm();
            }
        }
    }

    /// <summary>Stops the run with an outcome and reason; the first stop wins. Returns whether this call stopped it.</summary>
    /// <summary>
    /// Starts the timer of a run that has begun to wait (its first await that did not complete at once). Why not at the
    /// start: creating a timer per run costs more than a short run itself (it wakes the runtime's timer thread), and a
    /// run that never waits needs none — <see cref="ThrowIfPastDue"/> checks its deadline at each iteration instead.
    /// The deadline still counts from the run's start.
    /// </summary>
    public void ArmIfRunning()
    {
        lock (_lock)
        {
            if (!_disposed && !_armed)
            {
                _armed = true;
                Arm();
            }
        }
    }

    /// <summary>
    /// Gets whether the deadline needs no check by a clock reading now: the timer watches it, it has no limit, or (on the
    /// system clock) the coarse tick puts it more than <see cref="CoarseMarginMilliseconds"/> away.
    /// </summary>
    /// <remarks>Why: a run that never waits checks its deadline at each iteration, and a precise reading costs tens of
    /// nanoseconds on a virtual machine; the coarse tick costs a few.</remarks>
    public bool IsClearlyAhead()
    {
        if (Volatile.Read(ref _armed))
        {
            return true;
        }

        TimeSpan limit = _limit;
        if (limit == Timeout.InfiniteTimeSpan)
        {
            return true;
        }

        if (!_systemClock)
        {
            return false;
        }

        double elapsed = _before.TotalMilliseconds + (Environment.TickCount64 - _startTick);
        return elapsed + CoarseMarginMilliseconds < limit.TotalMilliseconds;
    }

    /// <summary>
    /// Expires a run without a timer yet (it has not waited) whose time is up at <paramref name="now"/> (a timestamp the
    /// caller read); a no-op once the timer runs.
    /// </summary>
    public void ThrowIfPastDue(long now)
    {
        if (Volatile.Read(ref _armed) || _limit == Timeout.InfiniteTimeSpan || ElapsedAt(now) < _limit)
        {
            return;
        }

        CancellationTokenSource? fire = null;
        lock (_lock)
        {
            if (!_armed && !_disposed && !_expired && _limit != Timeout.InfiniteTimeSpan && Elapsed >= _limit)
            {
                Volatile.Write(ref _expired, true);
                fire = _cts;
            }
        }

        fire?.Cancel();
        Token.ThrowIfCancellationRequested();
    }

    public bool Stop(RunOutcome outcome, string reason)
    {
        CancellationTokenSource cts;
        lock (_lock)
        {
            if (_stopOutcome is not null || _disposed)
            {
                return false;
            }

            (_stopOutcome, _stopReason) = (outcome, reason);
            cts = _cts;
        }

        cts.Cancel();
        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer?.Dispose();
        _cts.Dispose();
        foreach (CancellationTokenSource retired in _retired)
        {
            retired.Dispose();
        }
    }

    private CancellationTokenSource NewSource() =>
        _caller.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_caller) : new CancellationTokenSource();

    // Called under the lock.
    private void Arm()
    {
        if (_limit == Timeout.InfiniteTimeSpan)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        TimeSpan remaining = _limit - Elapsed;
        TimeSpan due = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining > MaxDue ? MaxDue : remaining;
        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((RunDeadline)state!).OnTimer(), this, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        CancellationTokenSource? fire = null;
        lock (_lock)
        {
            if (_disposed || _expired || _limit == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            if (Elapsed >= _limit)
            {
                Volatile.Write(ref _expired, true);
                fire = _cts;
            }
            else
            {
                Arm();
            }
        }

        fire?.Cancel();
    }
}
