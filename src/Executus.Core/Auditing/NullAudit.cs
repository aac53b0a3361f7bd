namespace Executus.Auditing;

/// <summary>The default <see cref="IAudit"/>: records nothing.</summary>
public sealed class NullAudit : IAudit
{
    /// <summary>Gets a shared instance.</summary>
    public static NullAudit Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return ValueTask.CompletedTask;
    }
}
