namespace Executus.Batteries.Budget;

/// <summary>How the amount reserved before a model call is estimated.</summary>
public enum BudgetEstimateMode
{
    /// <summary>The run's previous call's tokens (the fixed figure for a run's first call). The default.</summary>
    PreviousCall,

    /// <summary>The request's estimated input tokens plus the agent's <c>MaxOutputTokens</c> (the fixed figure when unset).</summary>
    MaxOutputTokens,

    /// <summary>Always <see cref="BudgetOptions.FixedEstimateTokens"/>.</summary>
    Fixed,
}
