namespace Executus.Checkpoints;

/// <summary>One page of interrupted runs.</summary>
/// <param name="Items">The runs, ordered by run id (ordinal).</param>
/// <param name="NextCursor">The cursor of the next page, or null when this is the last.</param>
public sealed record CheckpointPage(IReadOnlyList<CheckpointSummary> Items, string? NextCursor);
