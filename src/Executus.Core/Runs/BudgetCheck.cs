using Executus.Identity;

namespace Executus.Runs;

/// <summary>What <see cref="IBudget.CheckAsync"/> is asked about.</summary>
/// <param name="RunId">The run.</param>
/// <param name="AgentName">The agent.</param>
/// <param name="Caller">Who pays.</param>
/// <param name="Iteration">The 1-based number of the model call about to be made.</param>
public sealed record BudgetCheck(string RunId, string AgentName, CallerIdentity Caller, int Iteration);
