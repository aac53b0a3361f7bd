namespace Executus.Batteries.Audit;

/// <summary>
/// What an <see cref="AuditWriter"/> did with the events it was given. Every event is accounted for:
/// <c>Received = Written + Dropped + Queued</c>.
/// </summary>
public sealed record AuditWriterStatistics
{
    /// <summary>Gets how many events were given to the writer.</summary>
    public long Received { get; init; }

    /// <summary>Gets how many events the store accepted.</summary>
    public long Written { get; init; }

    /// <summary>Gets how many events are queued or being written.</summary>
    public long Queued { get; init; }

    /// <summary>Gets how many events were dropped, for any reason.</summary>
    public long Dropped => DroppedQueueFull + DroppedStoreFailed + DroppedRedactionFailed + DroppedDisposed + DroppedCancelled;

    /// <summary>Gets how many events were dropped because the queue stayed full.</summary>
    public long DroppedQueueFull { get; init; }

    /// <summary>Gets how many events were dropped because the store kept failing.</summary>
    public long DroppedStoreFailed { get; init; }

    /// <summary>Gets how many events were dropped because the redactor threw.</summary>
    public long DroppedRedactionFailed { get; init; }

    /// <summary>Gets how many events arrived after dispose.</summary>
    public long DroppedDisposed { get; init; }

    /// <summary>Gets how many events were dropped because the run's token was cancelled while waiting for room.</summary>
    public long DroppedCancelled { get; init; }

    /// <summary>Gets how many store calls failed (including ones that a retry then recovered).</summary>
    public long StoreFailures { get; init; }
}
