using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What one allowed model call really spent, told to <see cref="IBudget.SettleAsync"/>.</summary>
/// <param name="Reservation">The call's check and reservation.</param>
/// <param name="Usage">The tokens used (<see cref="UsageDetails.TotalTokenCount"/> filled as input + output when the provider gave none).</param>
public sealed record BudgetCharge(BudgetReservation Reservation, UsageDetails Usage)
{
    /// <summary>Gets the model id the provider reported in its answer, if any (the price key is <see cref="BudgetCheck.Model"/>).</summary>
    public string? ResponseModelId { get; init; }
}
