namespace Executus.Runs;

/// <summary>
/// The bounded time of a run's ending work (critic at the hard deadline, last checkpoint, delivery, checkpoint
/// completion, the end's audit event): a token that is cancelled <see cref="ExecutorOptions.DeliveryTimeout"/> after the
/// first piece of that work that does not finish at once.
/// </summary>
/// <remarks>
/// Why not a timed <see cref="CancellationTokenSource"/> from the start: most ending work (in-memory ports) completes
/// synchronously, and a timer created and disposed per run is a timer-queue registration on every run's hot path. Work
/// that finishes at once cannot overrun, so the clock starts only when something has to be waited for.
/// </remarks>
internal sealed class EndWorkDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _disposed;

    public EndWorkDeadline(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        _timeout = timeout;
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Starts the clock when <paramref name="work"/> has to be waited for.</summary>
    public ValueTask Bound(ValueTask work)
    {
        if (!work.IsCompleted)
        {
            Arm();
        }

        return work;
    }

    /// <summary>Starts the clock when <paramref name="work"/> has to be waited for.</summary>
    public ValueTask<T> Bound<T>(ValueTask<T> work)
    {
        if (!work.IsCompleted)
        {
            Arm();
        }

        return work;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }

        _cts.Dispose();
    }

    private void Arm()
    {
        lock (_gate)
        {
            if (_timer is null && !_disposed)
            {
                _timer = _time.CreateTimer(static state => ((EndWorkDeadline)state!).Expire(), this, _timeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Expire()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _cts.Cancel();
            }
        }
    }
}
