namespace Executus.Runs;

/// <summary>The budget allowed a model call past a soft limit; the run goes on.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Iteration">The 1-based iteration.</param>
/// <param name="Timestamp">When.</param>
/// <param name="Warning">The budget's warning (which account, how much is used and left).</param>
/// <param name="Model">The <c>provider:model</c> reference of the call.</param>
public sealed record BudgetWarningEvent(string RunId, int Iteration, DateTimeOffset Timestamp, string Warning, string Model)
    : RunEvent(RunId, Iteration, Timestamp);
