namespace Executus.Lanes;

/// <summary>
/// A consistent snapshot of a lane's counters. Every submission ends in exactly one of completed, failed, cancelled or
/// rejected, so <c>Submitted == Completed + Failed + Cancelled + Rejected + Waiting + Queued + Running</c> always holds.
/// </summary>
/// <param name="Submitted">Jobs submitted, including rejected ones.</param>
/// <param name="Completed">Jobs that returned a value.</param>
/// <param name="Failed">Jobs that threw.</param>
/// <param name="Cancelled">Jobs cancelled while waiting, queued or running (or cancelled by a shutdown).</param>
/// <param name="Rejected">Submissions refused because the lane was full (fail-fast) or shutting down.</param>
/// <param name="Waiting">Submissions waiting for room in the queue (back-pressure).</param>
/// <param name="Queued">Jobs queued, not yet started.</param>
/// <param name="Running">Jobs running now.</param>
public readonly record struct LaneStatistics(
    long Submitted,
    long Completed,
    long Failed,
    long Cancelled,
    long Rejected,
    int Waiting,
    int Queued,
    int Running);
