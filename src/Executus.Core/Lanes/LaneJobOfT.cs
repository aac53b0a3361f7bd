namespace Executus.Lanes;

/// <summary>A job producing <typeparamref name="T"/>.</summary>
internal sealed class LaneJob<T>(Lane lane, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    : LaneJob(lane, cancellationToken)
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<Task<T>>? _accepted;

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
            T value = await work(Token).ConfigureAwait(false);
            _result.TrySetResult(value);
            return LaneJobOutcome.Completed;
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            _result.TrySetCanceled(Token);
            return LaneJobOutcome.Cancelled;
        }
#pragma warning disable CA1031 // Why: a job's exception belongs to its awaiter; it must never escape into the lane's slot.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _result.TrySetException(ex);
            return LaneJobOutcome.Failed;
        }
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
