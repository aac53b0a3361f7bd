namespace Executus.Batteries.Audit;

/// <summary>One tool's counts over a period.</summary>
/// <param name="ToolName">The tool.</param>
/// <param name="Calls">Invocations (successful or failed; denials are not invocations).</param>
/// <param name="Errors">Invocations that failed.</param>
/// <param name="Denials">Calls denied before invocation.</param>
public sealed record ToolCallCounts(string ToolName, long Calls, long Errors, long Denials);
