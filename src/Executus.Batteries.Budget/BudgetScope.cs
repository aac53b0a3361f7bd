namespace Executus.Batteries.Budget;

/// <summary>Who a budget limit applies to. Every model call is charged to all four at once.</summary>
public enum BudgetScope
{
    /// <summary>Everything the process spends (one key, the empty string).</summary>
    Global,

    /// <summary>A tenant (<see cref="Identity.CallerIdentity.TenantKey"/>); callers without a tenant are not charged here.</summary>
    Tenant,

    /// <summary>A caller (<see cref="Identity.CallerIdentity.Id"/>).</summary>
    Caller,

    /// <summary>An agent (its name).</summary>
    Agent,
}
