namespace Executus.Runs;

/// <summary>A piece of the model's text as it streamed (only in streaming runs).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Text">The new text.</param>
public sealed record ModelTextDeltaEvent(string RunId, int Iteration, DateTimeOffset Timestamp, string Text) : RunEvent(RunId, Iteration, Timestamp);
