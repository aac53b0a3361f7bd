namespace Gadfly;

/// <summary>One line of a hunk with its line numbers in the old and the new file.</summary>
/// <param name="Kind">Context, added or removed.</param>
/// <param name="Text">The line without its prefix.</param>
/// <param name="OldLine">The line number in the old file; null for an added line.</param>
/// <param name="NewLine">The line number in the new file; null for a removed line.</param>
public sealed record DiffLine(DiffLineKind Kind, string Text, int? OldLine, int? NewLine);
