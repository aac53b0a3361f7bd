using Executus.Runs;

namespace Executus.Checkpoints;

/// <summary>
/// Where checkpoints of runs in progress are kept, so runs interrupted by a crash or a shutdown can be listed at boot
/// and resumed. A run has one record: a small head (everything in <see cref="RunCheckpoint"/> but the messages) plus
/// its messages numbered by position, so a save rewrites the head and appends only what is new (storage grows
/// linearly with the run, not quadratically). The default, <see cref="InMemoryCheckpointStore"/>, does not survive a
/// restart; durable stores (SQLite, PostgreSQL) implement the same contract, proven by the conformance suite in
/// <c>Executus.Testing.Conformance</c> (<c>CheckpointStoreConformanceTests</c>).
/// </summary>
/// <remarks>
/// Every record in the store is an interrupted-run candidate: <see cref="StoreCheckpointer"/> deletes a run's record
/// when it completes or fails. A store never interprets messages; it stores them as they are (JSON through M.E.AI's
/// <c>AIJsonUtilities.DefaultOptions</c> is the reference) and returns equal ones. Each method is atomic for its run.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>
    /// Upserts a run's checkpoint: the head is replaced; the store keeps its first
    /// <c>min(<paramref name="unchangedMessageCount"/>, stored count)</c> messages, drops any after them and appends
    /// the rest of <see cref="RunCheckpoint.Messages"/>. The run's resume-attempt count is kept.
    /// </summary>
    /// <param name="checkpoint">The snapshot.</param>
    /// <param name="unchangedMessageCount">How many leading messages the store already holds unchanged (0 rewrites them all).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the checkpoint is stored.</returns>
    ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default);

    /// <summary>Reads a run's latest checkpoint with all its messages.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The checkpoint, or <see langword="null"/> when the store has none for the run.</returns>
    ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the runs that have a checkpoint (the interrupted-run candidates, and runs paused for a human with their
    /// <see cref="CheckpointSummary.PausedReason"/>), ordered by run id (ordinal).
    /// </summary>
    /// <param name="limit">How many at most (1–1000).</param>
    /// <param name="cursor">The <see cref="CheckpointPage.NextCursor"/> of the previous page, or null for the first page.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1–1000.</exception>
    ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Counts one more attempt to resume a run (kept across saves, so a run that keeps crashing its process is found).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The number of attempts so far, this one included; 0 when the store has no checkpoint for the run.</returns>
    ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Resets a run's resume-attempt count (its last resume was interrupted by the host, not by a failure).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the run has a checkpoint.</returns>
    ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a run's checkpoint (it completed, failed or was abandoned).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when there was one.</returns>
    ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every checkpoint saved before <paramref name="savedBefore"/>.</summary>
    /// <param name="savedBefore">The cut-off (exclusive): a checkpoint saved exactly then is kept.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>How many were deleted.</returns>
    ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default);
}
