namespace Gadfly;

/// <summary>One file of a unified diff.</summary>
/// <param name="OldPath">The path before the change; null for an added file.</param>
/// <param name="NewPath">The path after the change; null for a deleted file.</param>
/// <param name="IsBinary">Whether the diff only says the (binary) file differs.</param>
/// <param name="Hunks">The hunks, in order.</param>
public sealed record DiffFile(string? OldPath, string? NewPath, bool IsBinary, IReadOnlyList<DiffHunk> Hunks)
{
    /// <summary>Gets the path findings use: the new path, or the old one for a deleted file.</summary>
    public string Path => NewPath ?? OldPath ?? string.Empty;

    /// <summary>Gets a value indicating whether the change adds this file.</summary>
    public bool IsAdded => OldPath is null;

    /// <summary>Gets a value indicating whether the change deletes this file.</summary>
    public bool IsDeleted => NewPath is null;

    /// <summary>Gets the added lines, in order.</summary>
    public IEnumerable<DiffLine> AddedLines => Hunks.SelectMany(h => h.Lines).Where(l => l.Kind == DiffLineKind.Added);

    /// <summary>Returns whether a finding may point at <paramref name="line"/>: 0 (the whole file) or a new-file line the diff shows.</summary>
    /// <param name="line">The new-file line number.</param>
    /// <returns><see langword="true"/> for 0 or an added or context line of this file.</returns>
    public bool IsReviewableLine(int line) =>
        line == 0 || (!IsDeleted && Hunks.SelectMany(h => h.Lines).Any(l => l.NewLine == line));
}
