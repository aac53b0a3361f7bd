using System.Text.Json;

namespace Executus.Auditing;

/// <summary>The arguments the kernel attaches to an audit event: JSON (a phase's hand-off) or a tool call's pairs.</summary>
internal readonly struct AuditArguments
{
    public JsonElement? Json { get; init; }

    public AuditArgumentValues? Values { get; init; }

    public static implicit operator AuditArguments(JsonElement? json) => new() { Json = json };

    public static implicit operator AuditArguments(AuditArgumentValues? values) => new() { Values = values };
}
