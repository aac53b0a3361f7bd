namespace Executus.Runs;

/// <summary>How a run ended. Every outcome keeps the conversation in <see cref="RunResult.Messages"/>.</summary>
public enum RunOutcome
{
    /// <summary>The model answered without requesting a tool.</summary>
    Completed,

    /// <summary>The run reached the agent's <see cref="RunnableAgent.MaxIterations"/>.</summary>
    MaxIterations,

    /// <summary>The model's tool calls failed in <see cref="RunnableAgent.MaxConsecutiveToolErrors"/> consecutive turns.</summary>
    ToolErrorLimit,

    /// <summary>The run's own timeout elapsed.</summary>
    TimedOut,

    /// <summary>The caller (or the host shutting down) cancelled the run. Its checkpoint is kept for resume.</summary>
    Cancelled,

    /// <summary>The budget refused a model call (before any spend, or mid-run).</summary>
    BudgetExceeded,

    /// <summary>A dispatch-guard cap (depth, fan-out, loop) refused the run.</summary>
    GuardTripped,

    /// <summary>The critic stopped the run.</summary>
    CriticStopped,

    /// <summary>The critic escalated (at a review or at the hard deadline) and the run was stopped.</summary>
    Escalated,

    /// <summary>An error ended the run (a model failure, a non-transient provider error…); see <see cref="RunResult.Error"/>.</summary>
    Failed,

    /// <summary>A battery or an operator stopped the run through <see cref="RunHandle.StopAsync"/>; the reason is in <see cref="RunResult.StopReason"/>.</summary>
    Stopped,

    /// <summary>
    /// A phase went over its iteration or hand-off limit (<see cref="AgentPhase.OnLimit"/>); the phase is named in
    /// <see cref="RunResult.StopReason"/> and is the last entry of <see cref="RunResult.Phases"/>.
    /// </summary>
    PhaseLimit,

    /// <summary>
    /// The critic paused the run for a human (<see cref="CriticVerdictKind.Pause"/>, e.g. an escalator that asks an
    /// operator to decide). The run stopped at an iteration boundary and, like a cancelled run, keeps its checkpoint
    /// (<see cref="RunCheckpoint.PausedReason"/> set) and is not delivered; automatic recovery leaves it alone, and the
    /// host resumes it by id when the human says so. The reason is in <see cref="RunResult.StopReason"/>.
    /// </summary>
    Paused,
}
