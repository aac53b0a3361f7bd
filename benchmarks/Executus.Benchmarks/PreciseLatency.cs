using System.Diagnostics;

namespace Executus.Benchmarks;

/// <summary>
/// Simulated latency without OS timer slack: one dedicated thread spins on <see cref="Stopwatch"/> and completes each
/// waiter when its deadline passes (microsecond precision). <c>Task.Delay(10 ms)</c> takes ~12 ms on Linux, which
/// would make the ideal of a latency-bound benchmark unreachable by any implementation; this lets the fan-out be
/// measured against a true 10 ms. It occupies one core while running.
/// </summary>
internal sealed class PreciseLatency : IDisposable
{
    private readonly PriorityQueue<TaskCompletionSource, long> _waiters = new();
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private volatile bool _stopped;

    public PreciseLatency()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "precise-latency" };
        _thread.Start();
    }

    public Task Delay(TimeSpan delay)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long deadline = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            _waiters.Enqueue(waiter, deadline);
        }

        return waiter.Task;
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    private void Run()
    {
        var spin = new SpinWait();
        while (!_stopped)
        {
            TaskCompletionSource? due = null;
            lock (_lock)
            {
                if (_waiters.TryPeek(out _, out long deadline) && Stopwatch.GetTimestamp() >= deadline)
                {
                    due = _waiters.Dequeue();
                }
            }

            if (due is not null)
            {
                due.TrySetResult();
                spin.Reset();
            }
            else
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }
}
