namespace Executus.Models;

/// <summary>
/// Receives the usage of every completed model call made through a resolved client (for budgets, billing and
/// dashboards). Implementations should be fast and must be thread-safe; an exception thrown here reaches the caller.
/// </summary>
public interface IUsageSink
{
    /// <summary>Records one call's usage.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the record is accepted.</returns>
    ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default);
}
