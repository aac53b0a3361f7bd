namespace Executus.Runs;

/// <summary>
/// The checkpoint port. The kernel saves after every iteration (an implementation throttles), completes or fails a
/// run when it ends, and does neither when the run was cancelled, so what survives a crash or shutdown is exactly the
/// set of interrupted runs. The default, <see cref="NullCheckpointer"/>, keeps nothing.
/// </summary>
public interface ICheckpointer
{
    /// <summary>Saves a snapshot of a run in progress.</summary>
    /// <param name="checkpoint">The snapshot.</param>
    /// <param name="cancellationToken">A token to cancel the save.</param>
    /// <returns>A task that completes when the snapshot was accepted.</returns>
    ValueTask SaveAsync(RunCheckpoint checkpoint, CancellationToken cancellationToken = default);

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
