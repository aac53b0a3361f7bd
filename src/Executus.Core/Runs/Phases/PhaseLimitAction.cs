namespace Executus.Runs;

/// <summary>What happens when a phase goes over its limit.</summary>
public enum PhaseLimitAction
{
    /// <summary>The run ends with <see cref="RunOutcome.PhaseLimit"/>, naming the phase.</summary>
    EndRun,

    /// <summary>The phase ends as <see cref="PhaseStatus.OverLimit"/> (no hand-off) and the next phase starts; after the last, the run ends with <see cref="RunOutcome.PhaseLimit"/>.</summary>
    MoveOn,
}
