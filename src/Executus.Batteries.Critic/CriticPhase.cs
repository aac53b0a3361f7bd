namespace Executus.Critics;

/// <summary>Where a run stands in <see cref="TimeoutCritic"/>'s state machine.</summary>
public enum CriticPhase
{
    /// <summary>Before the soft deadline: every boundary answers Continue without a review.</summary>
    Running,

    /// <summary>Past the soft deadline: progress is reviewed once per <see cref="CriticOptions.ReviewInterval"/>.</summary>
    UnderReview,

    /// <summary>The critic stopped the run (terminal).</summary>
    Stopped,

    /// <summary>The critic escalated the run (terminal).</summary>
    Escalated,
}
