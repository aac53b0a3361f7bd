namespace Executus.Batteries.Audit;

/// <summary>Why <see cref="AuditWriter"/> dropped an event (each drop is counted in a metric and the statistics).</summary>
public enum AuditDropReason
{
    /// <summary>The queue stayed full for <see cref="AuditWriterOptions.FullWait"/>.</summary>
    QueueFull,

    /// <summary>The store failed the event's batch on every attempt.</summary>
    StoreFailed,

    /// <summary>The redactor threw; the event is not stored unredacted.</summary>
    RedactionFailed,

    /// <summary>The event arrived after the writer was disposed.</summary>
    Disposed,

    /// <summary>The recording run's token was cancelled while it waited for room.</summary>
    Cancelled,
}
