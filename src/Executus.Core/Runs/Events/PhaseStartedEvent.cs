namespace Executus.Runs;

/// <summary>A phase of a phased agent started.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">Model calls made before the phase.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Phase">The phase's name.</param>
/// <param name="Index">The phase's 0-based position in <see cref="RunnableAgent.Phases"/>.</param>
/// <param name="Resumed">Whether the phase continues from a checkpoint rather than starting afresh.</param>
public sealed record PhaseStartedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, string Phase, int Index, bool Resumed)
    : RunEvent(RunId, Iteration, Timestamp);
