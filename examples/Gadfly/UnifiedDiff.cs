namespace Gadfly;

/// <summary>A parsed unified diff: its files in order.</summary>
/// <param name="Files">The files.</param>
public sealed record UnifiedDiff(IReadOnlyList<DiffFile> Files)
{
    /// <summary>Returns the file findings call <paramref name="path"/>, or null.</summary>
    /// <param name="path">The path (new path, or old path for a deleted file).</param>
    /// <returns>The file or null.</returns>
    public DiffFile? FindFile(string path) => Files.FirstOrDefault(f => string.Equals(f.Path, path, StringComparison.Ordinal));

    /// <summary>Gets how many lines the diff adds in all.</summary>
    public int AddedLineCount => Files.Sum(f => f.AddedLines.Count());
}
