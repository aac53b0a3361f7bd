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
        _id = id;
        Event = auditEvent;
        WrittenAt = writtenAt;
        Outcome = AuditOutcomes.Of(auditEvent);
    }

    /// <summary>Initializes a record whose id is formatted only when it is read (the writer's time-ordered ids).</summary>
    /// <param name="id">A unique, time-ordered id.</param>
    /// <param name="auditEvent">The redacted event.</param>
    /// <param name="writtenAt">When the record was handed to the store.</param>
    internal AuditRecord(Guid id, AuditEvent auditEvent, DateTimeOffset writtenAt)
    {
        _guid = id;
        Event = auditEvent;
        WrittenAt = writtenAt;
        Outcome = AuditOutcomes.Of(auditEvent);
    }

    // Why: the in-memory store never reads most ids; a record keeps the 16-byte id and formats its text on first read.
    private readonly Guid _guid;
    private string? _id;

    /// <summary>Gets the id as the GUID it was made from (meaningful when <see cref="IdText"/> is null).</summary>
    internal Guid IdGuid => _guid;

    /// <summary>Gets the id's text when it was given as text or has been formatted; null for an unread GUID id.</summary>
    internal string? IdText => _id;

    /// <summary>Gets the record's id.</summary>
    public string Id => _id ??= _guid.ToString("N");

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

    /// <summary>Compares id, event, written time and outcome.</summary>
    /// <param name="other">The other record.</param>
    /// <returns><see langword="true"/> when both hold the same values.</returns>
    public bool Equals(AuditRecord? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (string.Equals(Id, other.Id, StringComparison.Ordinal) && Event == other.Event && WrittenAt == other.WrittenAt && string.Equals(Outcome, other.Outcome, StringComparison.Ordinal)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), Event, WrittenAt);

    /// <summary>Orders two records' ids (ordinal order of their text), without formatting ids that were never read.</summary>
    internal static int CompareIds(AuditRecord a, AuditRecord b) =>
        a._id is null && b._id is null ? a._guid.CompareTo(b._guid) : string.CompareOrdinal(a.Id, b.Id);
}
