using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>
/// Redacts an audit event before anything is stored: tool arguments, details and data pass through it. The default is
/// <see cref="DefaultAuditRedactor"/>.
/// </summary>
/// <remarks>
/// A host using <c>Microsoft.Extensions.Compliance.Redaction</c> (data classification) can implement this seam over its
/// redactor provider; the default is key-based because tool arguments carry no classification.
/// </remarks>
public interface IAuditRedactor
{
    /// <summary>Returns <paramref name="auditEvent"/> with secrets masked and long values shortened.</summary>
    /// <param name="auditEvent">The event as recorded by the run.</param>
    /// <returns>The event to store (may be the same instance when nothing needed redaction).</returns>
    AuditEvent Redact(AuditEvent auditEvent);
}
