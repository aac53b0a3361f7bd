namespace Executus.Batteries.Budget;

/// <summary>What a limit or a ranking measures.</summary>
public enum BudgetMetric
{
    /// <summary>Tokens (input + output).</summary>
    Tokens,

    /// <summary>Money, priced from the price table.</summary>
    Cost,
}
