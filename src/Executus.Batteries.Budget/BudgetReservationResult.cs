namespace Executus.Batteries.Budget;

/// <summary>The answer of <see cref="IBudgetStore.TryReserveAsync"/>.</summary>
public sealed record BudgetReservationResult
{
    /// <summary>Gets whether the reservation was made.</summary>
    public bool Granted => Refusal is null;

    /// <summary>Gets why it was refused, or null when it was granted.</summary>
    public BudgetRefusal? Refusal { get; init; }

    /// <summary>Gets each requested account's state before this reservation (in request order).</summary>
    public required IReadOnlyList<BudgetScopeSpend> Scopes { get; init; }
}
