namespace Executus.Lanes;

/// <summary>A job producing <typeparamref name="T"/>.</summary>
internal sealed class LaneJob<T>(Lane lane, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    : LaneJob(lane, cancellationToken)
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<Task<T>>? _accepted;
    private LaneJobOutcome _outcome;
    private T? _value;
    private Exception? _error;

    public Task<T> Result => _result.Task;

    /// <summary>Creates the acceptance signal for a submission that has to wait for room; call under the lane's lock.</summary>
    public Task<Task<T>> CreateAcceptance()
    {
        _accepted = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _accepted.Task;
    }

    public override ValueTask<LaneJobOutcome> ExecuteAsync()
    {
        Task<T> task;
        try
        {
            task = work(Token);
        }
#pragma warning disable CA1031 // Why: a job's exception belongs to its awaiter; it must never escape into the lane's slot.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new ValueTask<LaneJobOutcome>(Capture(ex));
        }

        if (task is null)
        {
            return new ValueTask<LaneJobOutcome>(Capture(new InvalidOperationException("The lane job returned a null task.")));
        }

        if (task.IsCompletedSuccessfully)
        {
            // Why: skip the async machinery for jobs that finish synchronously (cached results, no-op jobs).
            _value = task.Result;
            _outcome = LaneJobOutcome.Completed;
            return new ValueTask<LaneJobOutcome>(_outcome);
        }

        return AwaitAsync(task);
    }

    private async ValueTask<LaneJobOutcome> AwaitAsync(Task<T> task)
    {
        try
        {
            _value = await task.ConfigureAwait(false);
            _outcome = LaneJobOutcome.Completed;
            return _outcome;
        }
#pragma warning disable CA1031 // Why: as above.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Capture(ex);
        }
    }

    private LaneJobOutcome Capture(Exception exception)
    {
        if (exception is OperationCanceledException && Token.IsCancellationRequested)
        {
            _outcome = LaneJobOutcome.Cancelled;
        }
        else
        {
            _error = exception;
            _outcome = LaneJobOutcome.Failed;
        }

        return _outcome;
    }

    public override void Publish()
    {
        switch (_outcome)
        {
            case LaneJobOutcome.Completed:
                _result.TrySetResult(_value!);
                break;
            case LaneJobOutcome.Cancelled:
                _result.TrySetCanceled(Token);
                break;
            default:
                _result.TrySetException(_error!);
                break;
        }

        _value = default;
        _error = null;
    }

    public override void SetCanceled(CancellationToken token)
    {
        _accepted?.TrySetCanceled(token);
        _result.TrySetCanceled(token);
    }

    public override void SetRejected(Exception exception)
    {
        _accepted?.TrySetException(exception);
        _result.TrySetException(exception);
    }

    public override void SetAccepted() => _accepted?.TrySetResult(_result.Task);
}
