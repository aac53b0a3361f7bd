namespace Executus.Runs;

/// <summary>The run ended; the last event of every run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The number of model calls made.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Result">The result, the same one <see cref="Executor.RunAsync"/> returns.</param>
public sealed record RunFinishedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, RunResult Result)
    : RunEvent(RunId, Iteration, Timestamp);
