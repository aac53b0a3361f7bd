namespace Executus.Critics;

/// <summary>What an <see cref="IEscalator"/> decides an escalated run becomes.</summary>
public enum EscalationDecision
{
    /// <summary>The run ends <see cref="Runs.RunOutcome.Escalated"/> (its checkpoint, if any, is failed and deleted).</summary>
    Escalate,

    /// <summary>
    /// The run ends <see cref="Runs.RunOutcome.Paused"/>: it keeps its checkpoint, marked with the reason, automatic
    /// recovery leaves it alone, and the host resumes it by id (Checkpoint battery: <c>CheckpointRecovery.ResumeAsync</c>)
    /// when the human says so.
    /// </summary>
    PauseForHuman,
}
