namespace Executus.Lanes;

/// <summary>Where a job is in its life; changed only under the lane's lock.</summary>
internal enum LaneJobState
{
    Waiting,
    Queued,
    Running,
    Done,
}

/// <summary>How a job ended.</summary>
internal enum LaneJobOutcome
{
    Completed,
    Failed,
    Cancelled,
}

/// <summary>
/// One submission. It is its own intrusive list node (a job sits in at most one list: the overflow of waiting
/// submissions or its key's flow in the lane's <see cref="FairQueue{TItem}"/>) and its own thread-pool work item, so
/// a dispatch costs no extra allocation.
/// </summary>
internal abstract class LaneJob(Lane lane, CancellationToken cancellationToken) : FairQueueItem<LaneJob>, IThreadPoolWorkItem
{
    public Lane Lane { get; } = lane;

    public CancellationToken Token { get; } = cancellationToken;

    public LaneJobState State { get; set; }

    public long SubmittedAt { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Runs the work and keeps its outcome for <see cref="Publish"/>; never throws.</summary>
    public abstract ValueTask<LaneJobOutcome> ExecuteAsync();

    /// <summary>
    /// Completes the job's task with the kept outcome. Called after the lane has counted the outcome, so an awaiter
    /// that sees the task end also sees the counters include it.
    /// </summary>
    public abstract void Publish();

    /// <summary>Marks the result (and a pending acceptance) cancelled.</summary>
    public abstract void SetCanceled(CancellationToken token);

    /// <summary>Fails the result (and a pending acceptance) with <paramref name="exception"/>.</summary>
    public abstract void SetRejected(Exception exception);

    /// <summary>Signals a back-pressured submitter that its job is now queued or running.</summary>
    public abstract void SetAccepted();

    void IThreadPoolWorkItem.Execute() => _ = Lane.RunSlotAsync(this);
}
