namespace Executus.Checkpoints;

/// <summary>What a listing of interrupted runs says about one run (no messages).</summary>
public sealed record CheckpointSummary
{
    /// <summary>Gets the run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the agent's name.</summary>
    public required string AgentName { get; init; }

    /// <summary>Gets the agent's version, if its source is versioned.</summary>
    public string? AgentVersion { get; init; }

    /// <summary>Gets the caller's id.</summary>
    public required string CallerId { get; init; }

    /// <summary>Gets the caller's fairness key (tenant, else caller id), used as the lane key when the run is resumed.</summary>
    public required string FairnessKey { get; init; }

    /// <summary>Gets how many model calls the run had made.</summary>
    public int Iteration { get; init; }

    /// <summary>Gets how many messages the checkpoint holds.</summary>
    public int MessageCount { get; init; }

    /// <summary>Gets when the checkpoint was saved.</summary>
    public DateTimeOffset SavedAt { get; init; }

    /// <summary>Gets how many times resuming the run was attempted.</summary>
    public int ResumeAttempts { get; init; }

    /// <summary>
    /// Gets why the run was paused for a human (<see cref="Runs.RunCheckpoint.PausedReason"/>), or <see langword="null"/>
    /// for an interrupted run. <see cref="InterruptedRunRecovery"/> leaves paused runs alone; resume one with
    /// <see cref="CheckpointRecovery.ResumeAsync"/> (or abandon it) when the human decides.
    /// </summary>
    public string? PausedReason { get; init; }
}
