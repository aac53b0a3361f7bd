namespace Executus.Batteries.Budget;

/// <summary>
/// A limit on one scope: either every account of the scope (<see cref="Key"/> null: each tenant, each caller…) or one
/// account (<c>tenant:acme</c>). A specific account's limit replaces the scope-wide one for that account.
/// </summary>
public sealed record BudgetLimit
{
    /// <summary>Initializes a new limit.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">One account's key, or null for every account of the scope (always null for global).</param>
    /// <param name="maxTokens">The most tokens in the window, or null.</param>
    /// <param name="maxCost">The most money in the window, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    /// <exception cref="ArgumentException">Neither limit is given.</exception>
    public BudgetLimit(BudgetScope scope, string? key, long? maxTokens, decimal? maxCost)
    {
        if (maxTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "A token limit cannot be negative.");
        }

        if (maxCost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCost), maxCost, "A money limit cannot be negative.");
        }

        if (maxTokens is null && maxCost is null)
        {
            throw new ArgumentException("A budget limit needs a token limit, a money limit or both.", nameof(maxTokens));
        }

        Scope = scope;
        Key = scope == BudgetScope.Global || string.IsNullOrWhiteSpace(key) ? null : key;
        MaxTokens = maxTokens;
        MaxCost = maxCost;
    }

    /// <summary>Gets the scope.</summary>
    public BudgetScope Scope { get; }

    /// <summary>Gets the one account this limit is for, or null for every account of the scope.</summary>
    public string? Key { get; }

    /// <summary>Gets the most tokens in the window, or null.</summary>
    public long? MaxTokens { get; }

    /// <summary>Gets the most money in the window, or null.</summary>
    public decimal? MaxCost { get; }

    /// <summary>Gets the soft limit for this entry as a percentage (1–100) of each limit, or null for the budget's default.</summary>
    public double? SoftLimitPercent { get; init; }

    /// <inheritdoc />
    public override string ToString() => Key is null ? BudgetScopeKey.ScopeName(Scope) : $"{BudgetScopeKey.ScopeName(Scope)}:{Key}";
}
