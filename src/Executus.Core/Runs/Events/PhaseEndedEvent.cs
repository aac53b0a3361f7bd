namespace Executus.Runs;

/// <summary>A phase of a phased agent ended (completed, skipped or over its limit).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">Model calls made so far.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Phase">The phase as it ended: status, calls, usage and hand-off.</param>
public sealed record PhaseEndedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, PhaseRun Phase)
    : RunEvent(RunId, Iteration, Timestamp);
