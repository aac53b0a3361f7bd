using System.Diagnostics.CodeAnalysis;

namespace Executus.Batteries.Budget;

/// <summary>One ledger account: a scope and the key inside it (<c>tenant:acme</c>, <c>caller:alice</c>, <c>global</c>).</summary>
public readonly record struct BudgetScopeKey
{
    private readonly string? _key;

    /// <summary>Initializes a new key.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key inside the scope; ignored (empty) for <see cref="BudgetScope.Global"/>.</param>
    /// <exception cref="ArgumentException">A non-global scope has a blank key.</exception>
    public BudgetScopeKey(BudgetScope scope, string key)
    {
        if (scope == BudgetScope.Global)
        {
            key = string.Empty;
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key);
        }

        Scope = scope;
        _key = key;
    }

    /// <summary>Gets the key of the global account.</summary>
    public static BudgetScopeKey Global { get; } = new(BudgetScope.Global, string.Empty);

    /// <summary>Gets the scope.</summary>
    public BudgetScope Scope { get; }

    /// <summary>Gets the key inside the scope (empty for the global account).</summary>
    public string Key => _key ?? string.Empty;

    /// <summary>Creates a tenant key.</summary>
    /// <param name="tenant">The tenant key.</param>
    /// <returns>The scope key.</returns>
    public static BudgetScopeKey Tenant(string tenant) => new(BudgetScope.Tenant, tenant);

    /// <summary>Creates a caller key.</summary>
    /// <param name="callerId">The caller's id.</param>
    /// <returns>The scope key.</returns>
    public static BudgetScopeKey Caller(string callerId) => new(BudgetScope.Caller, callerId);

    /// <summary>Creates an agent key.</summary>
    /// <param name="agentName">The agent's name.</param>
    /// <returns>The scope key.</returns>
    public static BudgetScopeKey Agent(string agentName) => new(BudgetScope.Agent, agentName);

    /// <summary>Reads a scope name (<c>global</c>, <c>tenant</c>, <c>caller</c>, <c>agent</c>, any case).</summary>
    /// <param name="text">The name.</param>
    /// <param name="scope">The scope when recognised.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a scope.</returns>
    public static bool TryParseScope(string? text, out BudgetScope scope)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "GLOBAL":
                scope = BudgetScope.Global;
                return true;
            case "TENANT":
                scope = BudgetScope.Tenant;
                return true;
            case "CALLER":
                scope = BudgetScope.Caller;
                return true;
            case "AGENT":
                scope = BudgetScope.Agent;
                return true;
            default:
                scope = default;
                return false;
        }
    }

    /// <summary>Reads <c>global</c> or <c>scope:key</c> (the key may itself contain colons).</summary>
    /// <param name="text">The text.</param>
    /// <param name="key">The key when <paramref name="text"/> is well formed.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out BudgetScopeKey key)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scopeText = colon < 0 ? text : text[..colon];
        if (!TryParseScope(scopeText, out BudgetScope scope))
        {
            return false;
        }

        string rest = colon < 0 ? string.Empty : text[(colon + 1)..].Trim();
        if (scope == BudgetScope.Global)
        {
            key = Global;
            return rest.Length == 0;
        }

        if (rest.Length == 0)
        {
            return false;
        }

        key = new BudgetScopeKey(scope, rest);
        return true;
    }

    /// <summary>Compares scope and key (ordinal).</summary>
    /// <param name="other">The other key.</param>
    /// <returns><see langword="true"/> when both name the same account.</returns>
    public bool Equals(BudgetScopeKey other) => Scope == other.Scope && string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Scope, StringComparer.Ordinal.GetHashCode(Key));

    /// <summary>Formats the key as <c>global</c> or <c>scope:key</c> (lower-case scope).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Scope == BudgetScope.Global ? "global" : $"{ScopeName(Scope)}:{Key}";

    /// <summary>Gets the lower-case name of <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The name.</returns>
    public static string ScopeName(BudgetScope scope) => scope switch
    {
        BudgetScope.Global => "global",
        BudgetScope.Tenant => "tenant",
        BudgetScope.Caller => "caller",
        BudgetScope.Agent => "agent",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown budget scope."),
    };
}
