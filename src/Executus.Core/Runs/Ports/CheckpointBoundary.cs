namespace Executus.Runs;

/// <summary>
/// Why the kernel took a <see cref="RunCheckpoint"/>, so a throttling <see cref="ICheckpointer"/> knows which snapshots
/// it may skip (a later one supersedes them) and which it must write at once.
/// </summary>
public enum CheckpointBoundary
{
    /// <summary>After a tool turn: the run goes on; a throttling checkpointer may keep this only as the pending latest state.</summary>
    Turn,

    /// <summary>
    /// Before the kernel runs tool calls of which at least one has side effects (<see cref="Tooling.ToolMetadata.SideEffect"/>
    /// other than Read): the snapshot ends with the assistant message holding the calls and no results yet. Must be
    /// written before the call starts, so a crash during it leaves a checkpoint that says the call was in flight.
    /// </summary>
    BeforeSideEffects,

    /// <summary>The run is ending (cancelled, or interrupted with its open calls closed): the last state; must be written.</summary>
    RunEnd,
}
