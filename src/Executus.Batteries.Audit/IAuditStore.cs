namespace Executus.Batteries.Audit;

/// <summary>
/// Where audit records are kept and queried. The default is <see cref="InMemoryAuditStore"/>; SQLite and PostgreSQL
/// stores implement the same contract (a conformance suite in <c>Executus.Testing.Conformance</c> proves it).
/// </summary>
/// <remarks>Records arrive already redacted. Stores apply their own retention.</remarks>
public interface IAuditStore
{
    /// <summary>Stores a batch of records.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Lists matching records newest first (observed time, then id, descending), one page at a time.</summary>
    /// <param name="query">The filters, page size and cursor.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The page.</returns>
    ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Counts each tool's calls, errors and denials observed in a period (inclusive), ordered by tool name.</summary>
    /// <param name="since">The start (inclusive).</param>
    /// <param name="until">The end (inclusive).</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>One row per tool seen in the period.</returns>
    ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);
}
