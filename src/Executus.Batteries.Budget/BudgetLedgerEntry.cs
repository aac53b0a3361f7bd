namespace Executus.Batteries.Budget;

/// <summary>One settled charge in the ledger, counted toward every account in <see cref="Scopes"/>.</summary>
public sealed record BudgetLedgerEntry
{
    /// <summary>Initializes a new entry.</summary>
    /// <param name="id">A unique id (the reservation id when the charge settles one).</param>
    /// <param name="timestamp">When the spend happened.</param>
    /// <param name="scopes">The accounts charged (global, tenant, caller, agent).</param>
    /// <param name="amount">What was spent.</param>
    public BudgetLedgerEntry(string id, DateTimeOffset timestamp, IReadOnlyList<BudgetScopeKey> scopes, BudgetAmount amount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(scopes);
        if (amount.Tokens < 0 || amount.Cost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "A charge cannot be negative.");
        }

        Id = id;
        Timestamp = timestamp;
        Scopes = scopes;
        Amount = amount;
    }

    /// <summary>Gets the entry's id.</summary>
    public string Id { get; }

    /// <summary>Gets when the spend happened.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the accounts charged.</summary>
    public IReadOnlyList<BudgetScopeKey> Scopes { get; }

    /// <summary>Gets what was spent.</summary>
    public BudgetAmount Amount { get; }

    /// <summary>Gets the run that spent it, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the model reference (<c>provider:model</c>) that was called, if known.</summary>
    public string? Model { get; init; }
}
