using Executus.Identity;

namespace Executus.Auditing;

/// <summary>One auditable fact about a run: who, what, when, and a few details.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Timestamp">When it happened, from the run's <see cref="TimeProvider"/>.</param>
public sealed record AuditEvent(AuditEventKind Kind, DateTimeOffset Timestamp)
{
    /// <summary>Gets the run the event belongs to, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the agent's name, if any.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the caller, if known.</summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>Gets the tool's name for tool events.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets a human-readable detail: the denial reason, the outcome, the error message.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets further structured details (stage, model id, token counts…).</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}
