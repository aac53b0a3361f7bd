namespace Executus.Batteries.Budget;

/// <summary>An account a reservation counts against, with its limits (null = tracked but unlimited).</summary>
/// <param name="Key">The account.</param>
/// <param name="MaxTokens">The most tokens the account may spend in the window, or null.</param>
/// <param name="MaxCost">The most money the account may spend in the window, or null.</param>
public sealed record BudgetScopeLimit(BudgetScopeKey Key, long? MaxTokens = null, decimal? MaxCost = null)
{
    /// <summary>Gets whether the account has any limit.</summary>
    public bool IsLimited => MaxTokens is not null || MaxCost is not null;
}
