namespace Executus.Batteries.Audit;

/// <summary>One page of a newest-first audit query.</summary>
/// <param name="Records">The records, newest first.</param>
/// <param name="NextCursor">The cursor of the next page, or null when there is no more.</param>
public sealed record AuditPage(IReadOnlyList<AuditRecord> Records, string? NextCursor);
