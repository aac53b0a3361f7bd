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

    public override async ValueTask<LaneJobOutcome> ExecuteAsync()
    {
        try
        {
            _value = await work(Token).ConfigureAwait(false);
            _outcome = LaneJobOutcome.Completed;
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            _outcome = LaneJobOutcome.Cancelled;
        }
#pragma warning disable CA1031 // Why: a job's exception belongs to its awaiter; it must never escape into the lane's slot.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _error = ex;
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
