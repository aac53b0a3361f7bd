using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>A model call finished.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Response">The model's response.</param>
/// <param name="Latency">How long the call took.</param>
public sealed record ModelCallCompletedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, ChatResponse Response, TimeSpan Latency)
    : RunEvent(RunId, Iteration, Timestamp);
