using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>A newest-first query of an <see cref="IAuditStore"/>: every set filter must match (null = any).</summary>
public sealed record AuditQuery
{
    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Gets the run id to match.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the caller id to match.</summary>
    public string? CallerId { get; init; }

    /// <summary>Gets the tenant to match.</summary>
    public string? TenantKey { get; init; }

    /// <summary>Gets the agent name to match.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the tool name to match.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets the kind to match.</summary>
    public AuditEventKind? Kind { get; init; }

    /// <summary>Gets the outcome to match (see <see cref="AuditOutcomes"/>; a run's outcome is its <c>RunOutcome</c> name).</summary>
    public string? Outcome { get; init; }

    /// <summary>Gets the earliest observed time to match (inclusive).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets the latest observed time to match (inclusive).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Gets the page size (1–1000).</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Gets where to continue: <see cref="AuditPage.NextCursor"/> of the previous page, or null for the newest.</summary>
    public string? Cursor { get; init; }

    /// <summary>Returns whether <paramref name="record"/> matches every filter (not the cursor).</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (RunId is null || string.Equals(RunId, record.RunId, StringComparison.Ordinal))
            && (CallerId is null || string.Equals(CallerId, record.CallerId, StringComparison.Ordinal))
            && (TenantKey is null || string.Equals(TenantKey, record.TenantKey, StringComparison.Ordinal))
            && (AgentName is null || string.Equals(AgentName, record.AgentName, StringComparison.Ordinal))
            && (ToolName is null || string.Equals(ToolName, record.ToolName, StringComparison.Ordinal))
            && (Kind is null || Kind == record.Kind)
            && (Outcome is null || string.Equals(Outcome, record.Outcome, StringComparison.OrdinalIgnoreCase))
            && (Since is null || record.ObservedAt >= Since)
            && (Until is null || record.ObservedAt <= Until);
    }

    /// <summary>Checks the limit and cursor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is outside 1–1000.</exception>
    /// <exception cref="ArgumentException">The cursor is malformed.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Limit, 1, nameof(Limit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Limit, 1000, nameof(Limit));
        if (Cursor is not null && !AuditCursor.TryParse(Cursor, out _))
        {
            throw new ArgumentException($"'{Cursor}' is not an audit cursor.", nameof(Cursor));
        }
    }
}
