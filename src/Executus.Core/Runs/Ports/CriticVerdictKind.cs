namespace Executus.Runs;

/// <summary>What a critic decided.</summary>
public enum CriticVerdictKind
{
    /// <summary>Go on.</summary>
    Continue,

    /// <summary>Go on, with the run's timeout extended by <see cref="CriticVerdict.Extension"/>.</summary>
    Extend,

    /// <summary>Stop the run (<see cref="RunOutcome.CriticStopped"/>).</summary>
    Stop,

    /// <summary>Stop the run and report it escalated (<see cref="RunOutcome.Escalated"/>).</summary>
    Escalate,

    /// <summary>
    /// Stop the run and keep it resumable for a human (<see cref="RunOutcome.Paused"/>): its checkpoint is kept and
    /// marked paused instead of being failed.
    /// </summary>
    Pause,
}
