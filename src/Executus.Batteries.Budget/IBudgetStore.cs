namespace Executus.Batteries.Budget;

/// <summary>
/// The budget ledger: settled charges per account and live reservations. Spend is always a sum of ledger entries
/// over a rolling window, never a counter that resets. The default is <see cref="InMemoryBudgetStore"/>; SQLite and
/// PostgreSQL stores implement the same contract (a conformance suite in <c>Executus.Testing.Conformance</c> proves it).
/// </summary>
/// <remarks>
/// <see cref="TryReserveAsync"/> must be atomic: the check of every account and the insertion of the reservation
/// happen as one step, so concurrent callers can never all pass a check that only one of them fits.
/// </remarks>
public interface IBudgetStore
{
    /// <summary>
    /// Atomically checks every limited account in the request (settled spend at or after the window start + live
    /// reservations + the estimate, against each limit) and, when all fit, holds the estimate as a reservation.
    /// Reservations that expired at or before <see cref="BudgetReservationRequest.Now"/> no longer count.
    /// </summary>
    /// <param name="request">What to reserve, against which accounts.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>Granted with every account's state, or refused with the first account that would be passed.</returns>
    ValueTask<BudgetReservationResult> TryReserveAsync(BudgetReservationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a reservation with the charge that was really spent. When the reservation is unknown (it expired and
    /// was released, or was never made) the charge is still recorded: the spend happened.
    /// </summary>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="charge">The settled charge.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when a live reservation was settled.</returns>
    ValueTask<bool> SettleAsync(string reservationId, BudgetLedgerEntry charge, CancellationToken cancellationToken = default);

    /// <summary>Drops a reservation without charging anything (the call failed before spending).</summary>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> when a live reservation was released.</returns>
    ValueTask<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default);

    /// <summary>Records a charge that had no reservation (spend attributed after the fact).</summary>
    /// <param name="charge">The charge.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the charge is stored.</returns>
    ValueTask RecordAsync(BudgetLedgerEntry charge, CancellationToken cancellationToken = default);

    /// <summary>Removes reservations that expired at or before <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>How many reservations were released.</returns>
    ValueTask<int> ReleaseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Sums an account's settled charges with <paramref name="since"/> ≤ timestamp ≤ <paramref name="until"/>.</summary>
    /// <param name="key">The account.</param>
    /// <param name="since">The start (inclusive).</param>
    /// <param name="until">The end (inclusive).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The sum.</returns>
    ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Sums an account's live (unexpired at <paramref name="now"/>) reservations.</summary>
    /// <param name="key">The account.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The sum.</returns>
    ValueTask<BudgetAmount> GetReservedAsync(BudgetScopeKey key, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Ranks the accounts of one scope by settled spend in a period, highest first (ties by key, ordinal).</summary>
    /// <param name="scope">The scope whose accounts are ranked.</param>
    /// <param name="since">The start (inclusive).</param>
    /// <param name="until">The end (inclusive).</param>
    /// <param name="count">How many rows at most.</param>
    /// <param name="orderBy">Rank by tokens or by money.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The rows; accounts that spent nothing in the period are left out.</returns>
    ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, DateTimeOffset since, DateTimeOffset until, int count, BudgetMetric orderBy, CancellationToken cancellationToken = default);
}
