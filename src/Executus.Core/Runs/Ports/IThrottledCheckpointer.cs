namespace Executus.Runs;

/// <summary>
/// An <see cref="ICheckpointer"/> that throttles turn snapshots and can say so before the kernel builds one: a turn it
/// would only keep as the run's pending latest state is deferred (handed as a way to build that state when it must be
/// written) instead of being built as a <see cref="RunCheckpoint"/> every turn.
/// </summary>
/// <remarks>
/// Why: most turns of a throttled run are never written; building each one's snapshot cost more than the rest of the
/// checkpoint port. The kernel still saves in full the run's first snapshot, every due turn, the snapshot before tools
/// with side effects and the run's end, and it never defers a turn after compaction rewrote the transcript.
/// </remarks>
public interface IThrottledCheckpointer : ICheckpointer
{
    /// <summary>
    /// Takes a turn boundary of a run without a snapshot when the throttle would not write it now; the checkpointer keeps
    /// <paramref name="latest"/> as the run's pending latest state and calls it only if it must write that state (at a
    /// flush) before the run's next save, which supersedes it.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="savedAt">When the turn ended (what its snapshot's <see cref="RunCheckpoint.SavedAt"/> would be).</param>
    /// <param name="latest">
    /// Builds the snapshot of the run's last deferred turn (its state as of that turn, not its current state); safe to call
    /// from any thread. One delegate serves every deferred turn of a run, so a later deferral moves what it builds.
    /// </param>
    /// <returns>
    /// <see langword="true"/> when the turn was deferred; <see langword="false"/> when it is due (or the checkpointer does
    /// not know the run yet), and the kernel builds the snapshot and calls <see cref="ICheckpointer.SaveAsync"/>.
    /// </returns>
    bool TryDefer(string runId, DateTimeOffset savedAt, Func<RunCheckpoint> latest);
}
