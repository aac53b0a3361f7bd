using Executus.Identity;

namespace Executus.Batteries.Budget;

/// <summary>Which accounts a call is charged to, and which limit applies to each.</summary>
internal static class BudgetScopes
{
    public static BudgetScopeKey[] KeysFor(CallerIdentity caller, string agentName) =>
        caller.TenantKey is { Length: > 0 } tenant
            ? [BudgetScopeKey.Global, BudgetScopeKey.Tenant(tenant), BudgetScopeKey.Caller(caller.Id), BudgetScopeKey.Agent(agentName)]
            : [BudgetScopeKey.Global, BudgetScopeKey.Caller(caller.Id), BudgetScopeKey.Agent(agentName)];

    /// <summary>The limit for <paramref name="key"/>: a limit for that one account wins over the scope-wide one.</summary>
    public static BudgetLimit? LimitFor(IList<BudgetLimit> limits, BudgetScopeKey key)
    {
        BudgetLimit? scopeWide = null;
        BudgetLimit? specific = null;
        for (int i = 0; i < limits.Count; i++)
        {
            BudgetLimit limit = limits[i];
            if (limit.Scope != key.Scope)
            {
                continue;
            }

            if (limit.Key is null)
            {
                scopeWide = limit;
            }
            else if (string.Equals(limit.Key, key.Key, StringComparison.Ordinal))
            {
                specific = limit;
            }
        }

        return specific ?? scopeWide;
    }

    public static BudgetScopeLimit ToScopeLimit(BudgetScopeKey key, BudgetLimit? limit) => new(key, limit?.MaxTokens, limit?.MaxCost);
}
