namespace Executus.Runs;

/// <summary>The critic answered something other than Continue (the verdict is also audited as <c>CriticVerdict</c>).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The model calls made so far.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Trigger">Why the critic was asked.</param>
/// <param name="Verdict">The verdict (kind, reason, extension).</param>
public sealed record CriticVerdictEvent(string RunId, int Iteration, DateTimeOffset Timestamp, CriticTrigger Trigger, CriticVerdict Verdict)
    : RunEvent(RunId, Iteration, Timestamp);
