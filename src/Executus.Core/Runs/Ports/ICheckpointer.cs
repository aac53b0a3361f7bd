namespace Executus.Runs;

/// <summary>
/// The checkpoint port. The kernel saves after every tool turn (an implementation throttles), before running tool
/// calls with side effects and when a run is interrupted (<see cref="RunCheckpoint.Boundary"/> says which; only turn
/// snapshots may be skipped), completes or fails a
/// run when it ends, and does neither when the run was cancelled or paused for a human (<see cref="RunOutcome.Paused"/>:
/// its last snapshot carries <see cref="RunCheckpoint.PausedReason"/>), so what survives a crash or shutdown is exactly
/// the set of interrupted and paused runs. The default, <see cref="NullCheckpointer"/>, keeps nothing and is skipped.
/// </summary>
/// <remarks>
/// Failure policy: a checkpointer that throws is logged and never ends a run (the next save tries again), except with
/// <see cref="RunOwnershipLostException"/>: another host took the run over, so the kernel stops it at once (no further
/// tool call with side effects, no delivery, the checkpoint left to the other host). A cancelled
/// or timed-out run is saved once more at its end with its interrupted tool calls closed, so a checkpoint never ends
/// with an unanswered call.
/// </remarks>
public interface ICheckpointer
{
    /// <summary>Saves a snapshot of a run in progress.</summary>
    /// <param name="checkpoint">
    /// The snapshot. Its message list is a read-only view of the run's transcript as of the save, not a copy: the kernel
    /// only appends past it, so it never changes and may be kept (copy it only to own it beyond the messages' lifetime).
    /// </param>
    /// <param name="savedMessageCount">
    /// How many leading messages of <see cref="RunCheckpoint.Messages"/> are unchanged since this run's previous save
    /// (0 for the first save, and after compaction rewrote the history), so a store may append only the rest.
    /// </param>
    /// <param name="cancellationToken">A token to cancel the save.</param>
    /// <returns>A task that completes when the snapshot was accepted.</returns>
    ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default);

    /// <summary>Marks a run finished successfully: its checkpoint is no longer a recovery candidate.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when done.</returns>
    ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Marks a run ended by a bound or an error: its checkpoint is no longer a recovery candidate.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when done.</returns>
    ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default);
}
