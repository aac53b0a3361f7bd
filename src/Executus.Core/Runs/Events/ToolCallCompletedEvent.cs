using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>A tool call ended: its result (or readable error) is what the model will see.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Call">The call.</param>
/// <param name="Result">The result sent back to the model.</param>
/// <param name="Failed">Whether the call failed or was denied.</param>
public sealed record ToolCallCompletedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, FunctionCallContent Call, FunctionResultContent Result, bool Failed)
    : RunEvent(RunId, Iteration, Timestamp);
