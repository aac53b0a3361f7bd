namespace Executus.Batteries.Budget;

/// <summary>An account's standing in the current window: its limit, what it spent and holds, and what is left.</summary>
public sealed record BudgetRemaining
{
    /// <summary>Gets the account.</summary>
    public required BudgetScopeKey Key { get; init; }

    /// <summary>Gets the limit that applies to the account, or null when it is unlimited.</summary>
    public BudgetLimit? Limit { get; init; }

    /// <summary>Gets settled spend in the window.</summary>
    public BudgetAmount Spent { get; init; }

    /// <summary>Gets live reservations.</summary>
    public BudgetAmount Reserved { get; init; }

    /// <summary>Gets the tokens left (never negative), or null when there is no token limit.</summary>
    public long? RemainingTokens { get; init; }

    /// <summary>Gets the money left (never negative), or null when there is no money limit.</summary>
    public decimal? RemainingCost { get; init; }
}
