using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>The model asked for a tool call, which is about to go through the permission stages and run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Call">The call.</param>
public sealed record ToolCallStartedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, FunctionCallContent Call)
    : RunEvent(RunId, Iteration, Timestamp);
