namespace Executus.Runs;

/// <summary>An iteration (one model call and the tool calls it asks for) started.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
public sealed record StepStartedEvent(string RunId, int Iteration, DateTimeOffset Timestamp) : RunEvent(RunId, Iteration, Timestamp);
