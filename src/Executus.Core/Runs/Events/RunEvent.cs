namespace Executus.Runs;

/// <summary>Something that happened in a run, in order; observed through <see cref="IRunObserver"/> or streamed by <see cref="Executor.RunStreamingAsync"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based model call the event belongs to (0 before the first).</param>
/// <param name="Timestamp">When it happened.</param>
public abstract record RunEvent(string RunId, int Iteration, DateTimeOffset Timestamp);
