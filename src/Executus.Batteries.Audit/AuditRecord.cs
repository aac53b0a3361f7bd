using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>
/// A stored <see cref="AuditEvent"/> (already redacted) with the columns an <see cref="IAuditStore"/> indexes: when it
/// happened (<see cref="ObservedAt"/>) and when it was written (<see cref="WrittenAt"/>) are separate.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Initializes a new record.</summary>
    /// <param name="id">A unique id (time-ordered ids are best; ties on <see cref="ObservedAt"/> are ordered by id).</param>
    /// <param name="auditEvent">The redacted event.</param>
    /// <param name="writtenAt">When the record was handed to the store.</param>
    public AuditRecord(string id, AuditEvent auditEvent, DateTimeOffset writtenAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(auditEvent);
        Id = id;
        Event = auditEvent;
        WrittenAt = writtenAt;
        Outcome = AuditOutcomes.Of(auditEvent);
    }

    /// <summary>Gets the record's id.</summary>
    public string Id { get; }

    /// <summary>Gets the event.</summary>
    public AuditEvent Event { get; }

    /// <summary>Gets when the event happened (the event's timestamp).</summary>
    public DateTimeOffset ObservedAt => Event.Timestamp;

    /// <summary>Gets when the record was written.</summary>
    public DateTimeOffset WrittenAt { get; }

    /// <summary>Gets the event's kind.</summary>
    public AuditEventKind Kind => Event.Kind;

    /// <summary>Gets the run id, if any.</summary>
    public string? RunId => Event.RunId;

    /// <summary>Gets the caller's id, if known.</summary>
    public string? CallerId => Event.Caller?.Id;

    /// <summary>Gets the caller's tenant, if any.</summary>
    public string? TenantKey => Event.Caller?.TenantKey;

    /// <summary>Gets the agent's name, if any.</summary>
    public string? AgentName => Event.AgentName;

    /// <summary>Gets the tool's name, for tool events.</summary>
    public string? ToolName => Event.ToolName;

    /// <summary>Gets the event's outcome (see <see cref="AuditOutcomes"/>), if it has one.</summary>
    public string? Outcome { get; }
}
