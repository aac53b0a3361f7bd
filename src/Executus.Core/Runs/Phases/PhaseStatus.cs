namespace Executus.Runs;

/// <summary>Where a phase of a run stands.</summary>
public enum PhaseStatus
{
    /// <summary>The phase is running (in a checkpoint), or the run ended inside it (in a result).</summary>
    Running,

    /// <summary>The phase ended normally (finish tool or answer).</summary>
    Completed,

    /// <summary>The phase's skip condition held; it made no model call.</summary>
    Skipped,

    /// <summary>The phase went over its iteration or hand-off limit.</summary>
    OverLimit,
}
