namespace Executus.Runs;

/// <summary>An iteration finished (its tool results are in the conversation).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
public sealed record StepFinishedEvent(string RunId, int Iteration, DateTimeOffset Timestamp) : RunEvent(RunId, Iteration, Timestamp);
