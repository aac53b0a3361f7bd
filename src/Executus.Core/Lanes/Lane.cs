using System.Diagnostics.CodeAnalysis;

namespace Executus.Lanes;

/// <summary>
/// A named, bounded, fair-share pool for jobs: at most <see cref="LaneOptions.MaxConcurrency"/> run at once, at most
/// <see cref="LaneOptions.MaxQueued"/> wait, and free slots go round-robin across keys (callers or tenants), so one
/// key flooding the lane cannot starve another.
/// </summary>
/// <remarks>
/// <para>
/// There are no long-lived worker threads: a dispatched job runs on the thread pool, and when it ends the same flow
/// takes the next job (round-robin over the keys with queued work), so a busy lane behaves like N channel consumers
/// and an idle lane holds no threads. Nothing polls.
/// </para>
/// <para>
/// A job receives the submitter's <see cref="CancellationToken"/>: cancelling it while the job waits removes the job
/// (its task ends <see cref="TaskStatus.Canceled"/>); while it runs, the job sees the cancellation. A job that throws
/// faults only its own task. Counters and a wait-time histogram are published on the <see cref="MeterName"/> meter.
/// </para>
/// </remarks>
public sealed class Lane : IAsyncDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> the lanes publish on.</summary>
    public const string MeterName = ExecutusTelemetry.LanesMeterName;

    private static readonly Action<object?> s_onCancel = static state => ((LaneJob)state!).Lane.CancelWaiting((LaneJob)state);

    private readonly Lock _lock = new();
    private readonly FairQueue<LaneJob> _queue;
    private readonly FairQueueItemList<LaneJob> _overflow = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _maxConcurrency;
    private readonly int _maxQueued;
    private readonly LaneSubmitMode _submitMode;
    private readonly LaneShutdownMode _shutdownMode;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _running;
    private long _submitted;
    private long _completed;
    private long _failed;
    private long _cancelled;
    private long _rejected;
    private bool _closed;

    /// <summary>Initializes a new lane.</summary>
    /// <param name="name">The lane's name (used in metrics and errors).</param>
    /// <param name="options">The limits; <see langword="null"/> for the defaults. The values are copied.</param>
    /// <param name="timeProvider">The clock for wait-time measurements; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public Lane(string name, LaneOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        options ??= new LaneOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, "options.MaxConcurrency");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxQueued, "options.MaxQueued");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxPerKey, "options.MaxPerKey");
        if (!Enum.IsDefined(options.SubmitMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SubmitMode, "Unknown LaneSubmitMode.");
        }

        if (!Enum.IsDefined(options.ShutdownMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ShutdownMode, "Unknown LaneShutdownMode.");
        }

        Name = name;
        _maxConcurrency = options.MaxConcurrency;
        _maxQueued = options.MaxQueued;
        _queue = new FairQueue<LaneJob>(options.MaxPerKey == 0 ? int.MaxValue : options.MaxPerKey);
        _submitMode = options.SubmitMode;
        _shutdownMode = options.ShutdownMode;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the lane's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many jobs may run at once.</summary>
    public int MaxConcurrency => _maxConcurrency;

    /// <summary>Gets how many jobs may wait in the queue.</summary>
    public int MaxQueued => _maxQueued;

    /// <summary>Gets how many jobs of one key may run at once (<see cref="int.MaxValue"/> when uncapped).</summary>
    public int MaxPerKey => _queue.MaxActivePerFlow;

    /// <summary>Gets a value indicating whether the lane has begun to shut down and refuses new jobs.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    /// <summary>Returns a consistent snapshot of the lane's counters.</summary>
    /// <returns>The counters.</returns>
    public LaneStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new LaneStatistics(_submitted, _completed, _failed, _cancelled, _rejected, _overflow.Count, _queue.Count, _running);
        }
    }

    /// <summary>
    /// Submits a job and returns once the lane has accepted it (it is running or queued), giving the task of its
    /// result. With <see cref="LaneSubmitMode.Wait"/> a full queue makes this wait (back-pressure); with
    /// <see cref="LaneSubmitMode.FailFast"/> it fails with <see cref="LaneFullException"/>.
    /// </summary>
    /// <typeparam name="T">The job's result type.</typeparam>
    /// <param name="key">The fair-share key (caller or tenant id); jobs of different keys share free slots round-robin.</param>
    /// <param name="work">The job; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="mode">What to do when the queue is full; <see langword="null"/> for the lane's <see cref="LaneOptions.SubmitMode"/>.</param>
    /// <param name="cancellationToken">Cancels the submission while it waits, the job while it is queued, and is passed to the job.</param>
    /// <returns>A task that completes when the job is accepted, with the task of the job's result.</returns>
    /// <exception cref="LaneFullException">Fail-fast and the queue is full.</exception>
    /// <exception cref="LaneClosedException">The lane is shutting down.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the job was accepted.</exception>
    public ValueTask<Task<T>> SubmitAsync<T>(
        string key,
        Func<CancellationToken, Task<T>> work,
        LaneSubmitMode? mode = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(work);
        LaneSubmitMode submitMode = mode ?? _submitMode;
        if (submitMode is not (LaneSubmitMode.Wait or LaneSubmitMode.FailFast))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), submitMode, "Unknown LaneSubmitMode.");
        }

        LaneMetrics.Add(LaneMetrics.Submitted, 1, Name);
        if (cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                _submitted++;
                _cancelled++;
            }

            LaneMetrics.Add(LaneMetrics.Cancelled, 1, Name);
            return ValueTask.FromCanceled<Task<T>>(cancellationToken);
        }

        var job = new LaneJob<T>(this, work, cancellationToken);
        if (LaneMetrics.WaitTime.Enabled)
        {
            job.SubmittedAt = _timeProvider.GetTimestamp();
        }

        Exception? rejection = null;
        Task<Task<T>>? acceptance = null;
        bool start = false;
        lock (_lock)
        {
            _submitted++;
            if (_closed)
            {
                _rejected++;
                rejection = LaneClosedException.For(Name);
            }
            else
            {
                FairQueueFlow<LaneJob> flow = _queue.GetFlow(key);
                job.Flow = flow;
                if (_running < _maxConcurrency && _queue.CanActivate(flow))
                {
                    // Why: by the dispatch invariant (a free slot means no eligible job is queued), running at once
                    // cannot overtake a queued job of this key.
                    _running++;
                    _queue.Activate(flow);
                    job.State = LaneJobState.Running;
                    start = true;
                }
                else if (_queue.Count < _maxQueued)
                {
                    EnqueueLocked(job);
                    RegisterLocked(job);
                }
                else if (submitMode == LaneSubmitMode.FailFast)
                {
                    _rejected++;
                    _queue.ReleaseIfIdle(flow);
                    rejection = new LaneFullException(Name, _maxConcurrency, _maxQueued);
                }
                else
                {
                    job.State = LaneJobState.Waiting;
                    flow.Parked++;
                    _overflow.Append(job);
                    acceptance = job.CreateAcceptance();
                    RegisterLocked(job);
                }
            }
        }

        if (rejection is not null)
        {
            LaneMetrics.Add(LaneMetrics.Rejected, 1, Name);
            return ValueTask.FromException<Task<T>>(rejection);
        }

        if (start)
        {
            LaneMetrics.Add(LaneMetrics.Running, 1, Name);
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        }
        else
        {
            LaneMetrics.Add(LaneMetrics.Queued, 1, Name);
        }

        return acceptance is null ? new ValueTask<Task<T>>(job.Result) : new ValueTask<Task<T>>(acceptance);
    }

    /// <summary>Runs a job on the lane and returns its result; waiting for room first is part of the returned task.</summary>
    /// <typeparam name="T">The job's result type.</typeparam>
    /// <param name="key">The fair-share key (caller or tenant id).</param>
    /// <param name="work">The job; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="mode">What to do when the queue is full; <see langword="null"/> for the lane's default.</param>
    /// <param name="cancellationToken">Cancels the job while it waits or is queued, and is passed to the job.</param>
    /// <returns>The job's result.</returns>
    /// <exception cref="LaneFullException">Fail-fast and the queue is full.</exception>
    /// <exception cref="LaneClosedException">The lane is shutting down.</exception>
    public Task<T> RunAsync<T>(
        string key,
        Func<CancellationToken, Task<T>> work,
        LaneSubmitMode? mode = null,
        CancellationToken cancellationToken = default)
    {
        ValueTask<Task<T>> submission = SubmitAsync(key, work, mode, cancellationToken);
        return submission.IsCompletedSuccessfully ? submission.Result : AwaitAcceptedAsync(submission);

        static async Task<T> AwaitAcceptedAsync(ValueTask<Task<T>> submission) =>
            await (await submission.ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Runs a job without a result on the lane.</summary>
    /// <param name="key">The fair-share key (caller or tenant id).</param>
    /// <param name="work">The job; it receives <paramref name="cancellationToken"/>.</param>
    /// <param name="mode">What to do when the queue is full; <see langword="null"/> for the lane's default.</param>
    /// <param name="cancellationToken">Cancels the job while it waits or is queued, and is passed to the job.</param>
    /// <returns>A task that completes when the job has run.</returns>
    /// <exception cref="LaneFullException">Fail-fast and the queue is full.</exception>
    /// <exception cref="LaneClosedException">The lane is shutting down.</exception>
    public Task RunAsync(
        string key,
        Func<CancellationToken, Task> work,
        LaneSubmitMode? mode = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(
            key,
            async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            },
            mode,
            cancellationToken);
    }

    /// <summary>
    /// Shuts the lane down: it stops accepting jobs (back-pressured submitters fail with
    /// <see cref="LaneClosedException"/>), lets running jobs finish, and then drains or cancels the queued ones.
    /// Calling it again, e.g. with <see cref="LaneShutdownMode.CancelQueued"/> after a slow drain, is allowed.
    /// </summary>
    /// <param name="mode">What to do with queued jobs; <see langword="null"/> for the lane's <see cref="LaneOptions.ShutdownMode"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the lane to go idle (the shutdown itself goes on).</param>
    /// <returns>A task that completes when no job is queued or running.</returns>
    public Task ShutdownAsync(LaneShutdownMode? mode = null, CancellationToken cancellationToken = default)
    {
        LaneShutdownMode shutdownMode = mode ?? _shutdownMode;
        List<LaneJob>? rejected = null;
        List<LaneJob>? cancelled = null;
        lock (_lock)
        {
            _closed = true;
            while (_overflow.RemoveHead() is { } waiting)
            {
                waiting.State = LaneJobState.Done;
                waiting.Flow!.Parked--;
                _queue.ReleaseIfIdle(waiting.Flow);
                _rejected++;
                (rejected ??= []).Add(waiting);
            }

            if (shutdownMode == LaneShutdownMode.CancelQueued)
            {
                cancelled = _queue.RemoveAll();
                if (cancelled is not null)
                {
                    foreach (LaneJob queued in cancelled)
                    {
                        queued.State = LaneJobState.Done;
                    }

                    _cancelled += cancelled.Count;
                }
            }

            CheckIdleLocked();
        }

        if (rejected is not null)
        {
            LaneMetrics.Add(LaneMetrics.Rejected, rejected.Count, Name);
            LaneMetrics.Add(LaneMetrics.Queued, -rejected.Count, Name);
            foreach (LaneJob job in rejected)
            {
                job.Registration.Dispose();
                job.SetRejected(LaneClosedException.For(Name));
            }
        }

        if (cancelled is not null)
        {
            LaneMetrics.Add(LaneMetrics.Cancelled, cancelled.Count, Name);
            LaneMetrics.Add(LaneMetrics.Queued, -cancelled.Count, Name);
            foreach (LaneJob job in cancelled)
            {
                job.Registration.Dispose();
                job.SetCanceled(CancellationToken.None);
            }
        }

        return _idle.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Shuts the lane down with its configured <see cref="LaneOptions.ShutdownMode"/> and waits until it is idle.</summary>
    /// <returns>A task that completes when no job is queued or running.</returns>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    /// <summary>Runs <paramref name="job"/> and then, while there is eligible queued work, the next job: one "slot".</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Jobs never throw; this is a last line of defence for the lane's own bookkeeping.")]
    internal async Task RunSlotAsync(LaneJob job)
    {
        LaneJob? current = job;
        while (current is not null)
        {
            current.Registration.Dispose();
            if (current.SubmittedAt != 0 && LaneMetrics.WaitTime.Enabled)
            {
                LaneMetrics.WaitTime.Record(
                    _timeProvider.GetElapsedTime(current.SubmittedAt).TotalSeconds,
                    new KeyValuePair<string, object?>(LaneMetrics.LaneTag, Name));
            }

            LaneJobOutcome outcome = await current.ExecuteAsync().ConfigureAwait(false);
            current = FinishAndTakeNext(current, outcome);
        }
    }

    private LaneJob? FinishAndTakeNext(LaneJob finished, LaneJobOutcome outcome)
    {
        LaneJob? next;
        List<LaneJob>? extra = null;
        lock (_lock)
        {
            switch (outcome)
            {
                case LaneJobOutcome.Completed:
                    _completed++;
                    break;
                case LaneJobOutcome.Failed:
                    _failed++;
                    break;
                default:
                    _cancelled++;
                    break;
            }

            finished.State = LaneJobState.Done;
            FairQueueFlow<LaneJob> flow = finished.Flow!;
            _running--;
            _queue.Deactivate(flow);
            next = TakeNextLocked();
            if (_running < _maxConcurrency && (_queue.Count > 0 || _overflow.Count > 0))
            {
                extra = PumpLocked();
            }

            CheckIdleLocked();
        }

        LaneMetrics.Add(
            outcome switch
            {
                LaneJobOutcome.Completed => LaneMetrics.Completed,
                LaneJobOutcome.Failed => LaneMetrics.Failed,
                _ => LaneMetrics.Cancelled,
            },
            1,
            Name);
        finished.Publish();
        int started = (next is null ? 0 : 1) + (extra?.Count ?? 0);
        LaneMetrics.Add(LaneMetrics.Running, started - 1, Name);
        LaneMetrics.Add(LaneMetrics.Queued, -started, Name);
        StartAll(extra);
        return next;
    }

    private void CancelWaiting(LaneJob job)
    {
        List<LaneJob>? extra = null;
        lock (_lock)
        {
            FairQueueFlow<LaneJob> flow = job.Flow!;
            if (job.State == LaneJobState.Queued)
            {
                _queue.Remove(job);
                PromoteWaitersLocked();
                if (_running < _maxConcurrency && (_queue.Count > 0 || _overflow.Count > 0))
                {
                    extra = PumpLocked();
                }
            }
            else if (job.State == LaneJobState.Waiting)
            {
                _overflow.Remove(job);
                flow.Parked--;
            }
            else
            {
                return;
            }

            job.State = LaneJobState.Done;
            _cancelled++;
            _queue.ReleaseIfIdle(flow);
            CheckIdleLocked();
        }

        job.SetCanceled(job.Token);
        LaneMetrics.Add(LaneMetrics.Cancelled, 1, Name);
        LaneMetrics.Add(LaneMetrics.Queued, -1 - (extra?.Count ?? 0), Name);
        LaneMetrics.Add(LaneMetrics.Running, extra?.Count ?? 0, Name);
        StartAll(extra);
    }

    private static void StartAll(List<LaneJob>? jobs)
    {
        if (jobs is null)
        {
            return;
        }

        foreach (LaneJob job in jobs)
        {
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        }
    }

    private void EnqueueLocked(LaneJob job)
    {
        job.State = LaneJobState.Queued;
        _queue.Enqueue(job);
    }

    private static void RegisterLocked(LaneJob job)
    {
        if (job.Token.CanBeCanceled)
        {
            // Why: if the token is cancelled right now the callback runs inline; the lock is re-entrant and the job
            // is already fully queued, so the callback sees a consistent state.
            job.Registration = job.Token.UnsafeRegister(s_onCancel, job);
        }
    }

    /// <summary>Takes the next job round-robin over keys with queued work, skipping keys at their per-key cap.</summary>
    private LaneJob? TakeNextLocked()
    {
        if (_running >= _maxConcurrency || (_queue.Count == 0 && _overflow.Count == 0))
        {
            return null;
        }

        if (_queue.Dequeue() is { } job)
        {
            _running++;
            job.State = LaneJobState.Running;
            PromoteWaitersLocked();
            return job;
        }

        // Why: nothing queued can run, yet a back-pressured submission may (MaxQueued = 0, or every queued job is
        // held by its per-key cap): start the oldest eligible one directly rather than leave a slot idle.
        for (LaneJob? waiting = _overflow.Head; waiting is not null; waiting = waiting.Next)
        {
            FairQueueFlow<LaneJob> flow = waiting.Flow!;
            if (_queue.CanActivate(flow))
            {
                _overflow.Remove(waiting);
                flow.Parked--;
                _running++;
                _queue.Activate(flow);
                waiting.State = LaneJobState.Running;
                waiting.SetAccepted();
                return waiting;
            }
        }

        return null;
    }

    private List<LaneJob>? PumpLocked()
    {
        List<LaneJob>? started = null;
        while (TakeNextLocked() is { } job)
        {
            (started ??= []).Add(job);
        }

        return started;
    }

    private void PromoteWaitersLocked()
    {
        while (_queue.Count < _maxQueued && _overflow.RemoveHead() is { } waiting)
        {
            waiting.Flow!.Parked--;
            EnqueueLocked(waiting);
            waiting.SetAccepted();
        }
    }

    private void CheckIdleLocked()
    {
        if (_closed && _running == 0 && _queue.Count == 0 && _overflow.Count == 0)
        {
            _idle.TrySetResult();
        }
    }
}
