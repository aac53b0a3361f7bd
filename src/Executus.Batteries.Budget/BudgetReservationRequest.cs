namespace Executus.Batteries.Budget;

/// <summary>
/// What <see cref="IBudgetStore.TryReserveAsync"/> is asked: hold <see cref="Estimate"/> against every account in
/// <see cref="Scopes"/> if, for each limited one, settled spend in the window plus live reservations plus the
/// estimate stays within its limits.
/// </summary>
public sealed record BudgetReservationRequest
{
    /// <summary>Initializes a new request.</summary>
    /// <param name="reservationId">A unique id for the reservation.</param>
    /// <param name="scopes">The accounts and their limits.</param>
    /// <param name="estimate">The amount to hold.</param>
    /// <param name="now">The current time (reservations expiring at or before it no longer count).</param>
    /// <param name="window">The rolling window: charges at or after <c>now - window</c> count.</param>
    /// <param name="expiresAt">When the reservation lapses if it is never settled or released.</param>
    public BudgetReservationRequest(string reservationId, IReadOnlyList<BudgetScopeLimit> scopes, BudgetAmount estimate, DateTimeOffset now, TimeSpan window, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reservationId);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        if (estimate.Tokens < 0 || estimate.Cost < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(estimate), estimate, "An estimate cannot be negative.");
        }

        ReservationId = reservationId;
        Scopes = scopes;
        Estimate = estimate;
        Now = now;
        Window = window;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the reservation's id.</summary>
    public string ReservationId { get; }

    /// <summary>Gets the accounts and their limits.</summary>
    public IReadOnlyList<BudgetScopeLimit> Scopes { get; }

    /// <summary>Gets the amount to hold.</summary>
    public BudgetAmount Estimate { get; }

    /// <summary>Gets the current time.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Gets the rolling window.</summary>
    public TimeSpan Window { get; }

    /// <summary>Gets the start of the window (<see cref="Now"/> minus <see cref="Window"/>, inclusive).</summary>
    public DateTimeOffset WindowStart => Now - Window;

    /// <summary>Gets when the reservation lapses.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Gets the run the reservation is for, if any.</summary>
    public string? RunId { get; init; }
}
