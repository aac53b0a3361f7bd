namespace Executus.Batteries.Budget;

/// <summary>An amount of spend: tokens and money (in the currency of the price table, e.g. US dollars).</summary>
/// <param name="Tokens">The tokens (input + output).</param>
/// <param name="Cost">The money.</param>
public readonly record struct BudgetAmount(long Tokens, decimal Cost)
{
    /// <summary>Gets a zero amount.</summary>
    public static BudgetAmount Zero { get; }

    /// <summary>Adds two amounts.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    public static BudgetAmount operator +(BudgetAmount left, BudgetAmount right) => new(left.Tokens + right.Tokens, left.Cost + right.Cost);

    /// <summary>Subtracts two amounts.</summary>
    /// <param name="left">The amount.</param>
    /// <param name="right">The amount to take away.</param>
    /// <returns>The difference.</returns>
    public static BudgetAmount operator -(BudgetAmount left, BudgetAmount right) => new(left.Tokens - right.Tokens, left.Cost - right.Cost);

    /// <summary>Adds two amounts.</summary>
    /// <param name="left">The first amount.</param>
    /// <param name="right">The second amount.</param>
    /// <returns>The sum.</returns>
    public static BudgetAmount Add(BudgetAmount left, BudgetAmount right) => left + right;

    /// <summary>Subtracts two amounts.</summary>
    /// <param name="left">The amount.</param>
    /// <param name="right">The amount to take away.</param>
    /// <returns>The difference.</returns>
    public static BudgetAmount Subtract(BudgetAmount left, BudgetAmount right) => left - right;
}
