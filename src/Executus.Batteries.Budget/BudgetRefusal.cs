namespace Executus.Batteries.Budget;

/// <summary>Why a reservation was refused: the first account whose limit the estimate would pass.</summary>
public sealed record BudgetRefusal
{
    /// <summary>Gets the account whose limit would be passed.</summary>
    public required BudgetScopeKey Scope { get; init; }

    /// <summary>Gets which limit: <see cref="BudgetMetric.Tokens"/> or <see cref="BudgetMetric.Cost"/>.</summary>
    public required BudgetMetric Metric { get; init; }

    /// <summary>Gets the limit (tokens or money, per <see cref="Metric"/>).</summary>
    public required decimal Limit { get; init; }

    /// <summary>Gets settled spend plus live reservations in the window (same unit as <see cref="Limit"/>).</summary>
    public required decimal Spent { get; init; }

    /// <summary>Gets the estimate that did not fit (same unit as <see cref="Limit"/>).</summary>
    public required decimal Requested { get; init; }

    /// <summary>
    /// Gets how long until enough settled spend leaves the window for the estimate to fit, or null when it never
    /// will (the estimate alone is over the limit).
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}
