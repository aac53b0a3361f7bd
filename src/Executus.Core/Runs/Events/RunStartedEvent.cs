using Executus.Identity;

namespace Executus.Runs;

/// <summary>A run started.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The iteration the run starts at (non-zero when resumed).</param>
/// <param name="Timestamp">When.</param>
/// <param name="AgentName">The agent.</param>
/// <param name="Caller">Who asked.</param>
public sealed record RunStartedEvent(string RunId, int Iteration, DateTimeOffset Timestamp, string AgentName, CallerIdentity Caller)
    : RunEvent(RunId, Iteration, Timestamp);
