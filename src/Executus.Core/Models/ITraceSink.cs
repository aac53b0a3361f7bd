namespace Executus.Models;

/// <summary>
/// Receives a record of every model call made through a resolved client, completed or failed, for hosts that keep
/// their own call log next to (or instead of) OpenTelemetry. Implementations must be thread-safe.
/// </summary>
public interface ITraceSink
{
    /// <summary>Records one call.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the record is accepted.</returns>
    ValueTask RecordAsync(ModelTraceRecord record, CancellationToken cancellationToken = default);
}
