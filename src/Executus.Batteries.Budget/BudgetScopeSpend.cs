namespace Executus.Batteries.Budget;

/// <summary>An account's state when a reservation was decided.</summary>
/// <param name="Limit">The account and its limits.</param>
/// <param name="Spent">Settled spend in the window.</param>
/// <param name="Reserved">Live reservations other than the one being decided.</param>
public sealed record BudgetScopeSpend(BudgetScopeLimit Limit, BudgetAmount Spent, BudgetAmount Reserved)
{
    /// <summary>Gets settled spend plus live reservations.</summary>
    public BudgetAmount Committed => Spent + Reserved;
}
