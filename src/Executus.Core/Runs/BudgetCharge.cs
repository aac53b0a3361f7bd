using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What one model call spent, told to <see cref="IBudget.RecordAsync"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="AgentName">The agent.</param>
/// <param name="Caller">Who pays.</param>
/// <param name="ModelId">The model that answered, when the provider said.</param>
/// <param name="Usage">The tokens used.</param>
public sealed record BudgetCharge(string RunId, string AgentName, CallerIdentity Caller, string? ModelId, UsageDetails Usage);
