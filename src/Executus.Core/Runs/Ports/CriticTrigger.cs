namespace Executus.Runs;

/// <summary>Why the kernel asks the critic (<see cref="CriticReview.Trigger"/>).</summary>
public enum CriticTrigger
{
    /// <summary>An iteration boundary before the soft deadline (or when the agent sets none).</summary>
    Iteration,

    /// <summary>The first iteration boundary after the agent's <see cref="RunnableAgent.SoftTimeout"/> passed: judge progress.</summary>
    SoftDeadline,

    /// <summary>
    /// The hard deadline passed: the run is ending <see cref="RunOutcome.TimedOut"/>. The critic (or the escalator it
    /// wraps) is told before the run ends; <see cref="CriticVerdict.Escalate"/> ends it <see cref="RunOutcome.Escalated"/>,
    /// <see cref="CriticVerdict.Stop"/> ends it <see cref="RunOutcome.CriticStopped"/>; any other verdict keeps
    /// <see cref="RunOutcome.TimedOut"/> (an extension cannot revive a step that was already cancelled).
    /// </summary>
    HardDeadline,
}
