using System.Threading.Tasks.Sources;

namespace Executus.Lanes;

/// <summary>
/// A job producing <typeparamref name="T"/>. It is also the (single-use) source of the acceptance
/// <see cref="ValueTask{TResult}"/> a back-pressured submitter awaits, so waiting for room allocates nothing more.
/// </summary>
internal sealed class LaneJob<T>(Lane lane, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    : LaneJob(lane, cancellationToken), IValueTaskSource<Task<T>>
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ManualResetValueTaskSourceCore<Task<T>> _acceptance;
    private bool _acceptancePending;
    private LaneJobOutcome _outcome;
    private T? _value;
    private Exception? _error;

    public Task<T> Result => _result.Task;

    /// <summary>Gets the acceptance a waiting submitter awaits (after <see cref="PrepareAcceptance"/>).</summary>
    public ValueTask<Task<T>> Acceptance => new(this, _acceptance.Version);

    /// <summary>Arms the acceptance signal for a submission that has to wait for room; call under the lane's lock.</summary>
    public void PrepareAcceptance()
    {
        _acceptance.RunContinuationsAsynchronously = true;
        _acceptancePending = true;
    }

    Task<T> IValueTaskSource<Task<T>>.GetResult(short token) => _acceptance.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<Task<T>>.GetStatus(short token) => _acceptance.GetStatus(token);

    void IValueTaskSource<Task<T>>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _acceptance.OnCompleted(continuation, state, token, flags);

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

    // Why: each of these runs at most once per job, after the lane moved the job out of "waiting" under its lock, so
    // the acceptance is completed exactly once.
    public override void SetCanceled(CancellationToken token)
    {
        _result.TrySetCanceled(token);
        if (_acceptancePending)
        {
            _acceptancePending = false;
            _acceptance.SetException(new OperationCanceledException(token));
        }
    }

    public override void SetRejected(Exception exception)
    {
        _result.TrySetException(exception);
        if (_acceptancePending)
        {
            _acceptancePending = false;
            _acceptance.SetException(exception);
        }
    }

    public override void SetAccepted()
    {
        if (_acceptancePending)
        {
            _acceptancePending = false;
            _acceptance.SetResult(_result.Task);
        }
    }
}
