namespace Executus.Batteries.Budget;

/// <summary>One account's settled spend over a period (a row of a top-spenders list).</summary>
/// <param name="Key">The account.</param>
/// <param name="Spent">What it spent.</param>
public sealed record BudgetSpendRow(BudgetScopeKey Key, BudgetAmount Spent);
