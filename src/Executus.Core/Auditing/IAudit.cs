namespace Executus.Auditing;

/// <summary>
/// The audit port: where runs, model calls, tool calls and denials are recorded. The default,
/// <see cref="NullAudit"/>, records nothing; the Audit battery supplies a buffered, queryable implementation.
/// </summary>
/// <remarks>Implementations must not block the run: buffer, and never throw for a storage failure.</remarks>
public interface IAudit
{
    /// <summary>Records <paramref name="auditEvent"/>.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the event was accepted (not necessarily stored).</returns>
    ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);
}
