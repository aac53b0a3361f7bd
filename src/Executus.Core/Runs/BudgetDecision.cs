namespace Executus.Runs;

/// <summary>The answer of <see cref="IBudget.CheckAsync"/>.</summary>
public sealed record BudgetDecision
{
    private BudgetDecision(bool allowed, string? reason)
    {
        Allowed = allowed;
        Reason = reason;
    }

    /// <summary>Gets the decision that allows the call.</summary>
    public static BudgetDecision Allow { get; } = new(true, null);

    /// <summary>Gets whether the call may be made.</summary>
    public bool Allowed { get; }

    /// <summary>Gets why the call was refused.</summary>
    public string? Reason { get; }

    /// <summary>Creates a refusal.</summary>
    /// <param name="reason">Why, in words a user can read ("weekly budget of $5.00 spent").</param>
    /// <returns>The decision.</returns>
    public static BudgetDecision Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(false, reason);
    }
}
