namespace Executus.Runs;

/// <summary>
/// The answer of <see cref="IBudget.CheckAsync"/>: refused (the call is not made), or allowed, optionally holding a
/// reservation the budget identifies by <see cref="ReservationId"/> and optionally with a warning to audit.
/// </summary>
public sealed record BudgetDecision
{
    private BudgetDecision(bool allowed, string? reason, string? reservationId, string? warning)
    {
        Allowed = allowed;
        Reason = reason;
        ReservationId = reservationId;
        Warning = warning;
    }

    /// <summary>Gets the decision that allows the call without a reservation or warning.</summary>
    public static BudgetDecision Allow { get; } = new(true, null, null, null);

    /// <summary>Gets whether the call may be made.</summary>
    public bool Allowed { get; }

    /// <summary>Gets why the call was refused.</summary>
    public string? Reason { get; }

    /// <summary>Gets the budget's own id of what it reserved for the call, handed back at settle or release.</summary>
    public string? ReservationId { get; }

    /// <summary>Gets a warning to record (e.g. "80% of the weekly budget spent"); the call is still allowed.</summary>
    public string? Warning { get; }

    /// <summary>Gets the structured reason of a refusal (account, limit, spend, retry-after), when the budget gives one.</summary>
    public BudgetLimitExceeded? Exceeded { get; init; }

    /// <summary>
    /// Gets one line to show the model as a system message on this call (e.g. the remaining budget, so it can wrap
    /// up); null for none.
    /// </summary>
    public string? ModelNotice { get; init; }

    /// <summary>Creates a decision that allows the call, holding a reservation and/or carrying a warning.</summary>
    /// <param name="reservationId">The budget's id of what it reserved, if anything.</param>
    /// <param name="warning">A warning to audit, if any.</param>
    /// <returns>The decision.</returns>
    public static BudgetDecision Grant(string? reservationId = null, string? warning = null) =>
        reservationId is null && warning is null ? Allow : new(true, null, reservationId, warning);

    /// <summary>Creates a refusal.</summary>
    /// <param name="reason">Why, in words a user can read ("weekly budget of $5.00 spent").</param>
    /// <returns>The decision.</returns>
    public static BudgetDecision Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(false, reason, null, null);
    }
}
