namespace Gadfly;

/// <summary>One <c>@@ -a,b +c,d @@</c> hunk of a file.</summary>
/// <param name="OldStart">The first line in the old file.</param>
/// <param name="OldCount">How many old lines the hunk covers.</param>
/// <param name="NewStart">The first line in the new file.</param>
/// <param name="NewCount">How many new lines the hunk covers.</param>
/// <param name="Section">The text after the closing <c>@@</c> (often the enclosing function), possibly empty.</param>
/// <param name="Lines">The lines, in order.</param>
public sealed record DiffHunk(int OldStart, int OldCount, int NewStart, int NewCount, string Section, IReadOnlyList<DiffLine> Lines);
