namespace Executus.Runs;

/// <summary>An allowed call whose spend is not known yet: what was checked and the budget's reservation id, if any.</summary>
/// <param name="Check">What was checked.</param>
/// <param name="ReservationId">The id from <see cref="BudgetDecision.ReservationId"/>, if the budget reserved anything.</param>
public sealed record BudgetReservation(BudgetCheck Check, string? ReservationId)
{
    /// <summary>Gets the decision's <see cref="BudgetDecision.ModelNotice"/>: a system line added to this call's request.</summary>
    public string? ModelNotice { get; init; }
}
