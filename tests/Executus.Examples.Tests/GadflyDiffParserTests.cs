using Gadfly;

namespace Executus.Examples.Tests;

public class GadflyDiffParserTests
{
    [Fact]
    public void Parses_the_sample_git_diff_into_files_hunks_and_numbered_lines()
    {
        UnifiedDiff diff = DiffParser.Parse(File.ReadAllText(GadflyTests.SampleDiffPath));

        Assert.Equal(["docs/notes.md", "src/Shop/Legacy.cs", "src/Shop/OrderRepository.cs", "src/Shop/RetryPolicy.cs"], diff.Files.Select(f => f.Path));
        DiffFile deleted = diff.Files[1];
        Assert.True(deleted.IsDeleted);
        Assert.Null(deleted.NewPath);
        Assert.False(deleted.IsReviewableLine(1));
        Assert.True(deleted.IsReviewableLine(0));
        Assert.True(diff.Files[3].IsAdded);
        Assert.Equal(Enumerable.Range(1, 6), diff.Files[3].AddedLines.Select(l => l.NewLine!.Value));

        DiffFile repository = diff.Files[2];
        DiffHunk hunk = Assert.Single(repository.Hunks);
        Assert.Equal((4, 10, 4, 30, "namespace Shop;"), (hunk.OldStart, hunk.OldCount, hunk.NewStart, hunk.NewCount, hunk.Section));
        DiffLine password = repository.AddedLines.First();
        Assert.Equal((7, "    private const string AdminPassword = \"hunter2\";"), (password.NewLine!.Value, password.Text));
        Assert.Null(password.OldLine);
        DiffLine context = hunk.Lines[0];
        Assert.Equal((DiffLineKind.Context, 4, 4), (context.Kind, context.OldLine!.Value, context.NewLine!.Value));
        Assert.True(repository.IsReviewableLine(4));
        Assert.True(repository.IsReviewableLine(20));
        Assert.False(repository.IsReviewableLine(3));
        Assert.False(repository.IsReviewableLine(34));
        Assert.Equal(27, diff.AddedLineCount);
    }

    [Fact]
    public void Parses_a_plain_diff_u_with_timestamps_removed_lines_omitted_counts_and_no_newline_markers()
    {
        const string text = "--- old/app.py\t2024-01-01 10:00:00\r\n+++ new/app.py\t2024-01-02 10:00:00\r\n@@ -1,3 +1,3 @@\r\n a = 1\r\n-b = 2\r\n+b = 3\r\n c = 4\r\n\\ No newline at end of file\r\n@@ -10 +10 @@\r\n-x\r\n+y\r\n";

        DiffFile file = Assert.Single(DiffParser.Parse(text).Files);

        Assert.Equal(("old/app.py", "new/app.py"), (file.OldPath, file.NewPath));
        Assert.Equal(2, file.Hunks.Count);
        Assert.Equal(
            [(DiffLineKind.Context, (int?)1, (int?)1), (DiffLineKind.Removed, 2, null), (DiffLineKind.Added, null, 2), (DiffLineKind.Context, 3, 3)],
            file.Hunks[0].Lines.Select(l => (l.Kind, l.OldLine, l.NewLine)));
        Assert.Equal(("y", 10), (file.Hunks[1].Lines[1].Text, file.Hunks[1].Lines[1].NewLine!.Value));
    }

    [Fact]
    public void Skips_a_format_patch_preamble_and_signature_and_keeps_binary_and_rename_only_files()
    {
        const string text = """
            From 1234 Mon Sep 17 00:00:00 2001
            Subject: [PATCH] Add things

            ---
             a.txt | 1 +
            diff --git a/logo.png b/logo.png
            Binary files a/logo.png and b/logo.png differ
            diff --git a/old name.txt b/new name.txt
            similarity index 100%
            rename from old name.txt
            rename to new name.txt
            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1 +1,2 @@
             one
            +two
            -- 
            2.43.0

            """;

        UnifiedDiff diff = DiffParser.Parse(text);

        Assert.Equal(["logo.png", "new name.txt", "a.txt"], diff.Files.Select(f => f.Path));
        Assert.True(diff.Files[0].IsBinary);
        Assert.Equal("old name.txt", diff.Files[1].OldPath);
        Assert.Equal(2, Assert.Single(diff.Files[2].AddedLines).NewLine);
    }

    [Fact]
    public void An_empty_line_inside_a_hunk_is_an_empty_context_line()
    {
        DiffFile file = Assert.Single(DiffParser.Parse("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n").Files);

        Assert.Equal((DiffLineKind.Context, "", 2), (file.Hunks[0].Lines[1].Kind, file.Hunks[0].Lines[1].Text, file.Hunks[0].Lines[1].NewLine!.Value));
    }

    [Theory]
    [InlineData("", "The diff is empty")]
    [InlineData("just some text\nno diff here\n", "No file found in the input")]
    [InlineData("@@ -1 +1 @@\n-a\n+b\n", "Malformed diff at input line 1: hunk header '@@' before any file header")]
    [InlineData("+++ b/x\n", "Malformed diff at input line 1: '+++' file header without a preceding '---' header.")]
    [InlineData("--- a/x\n@@ -1 +1 @@\n", "Malformed diff at input line 2: hunk header '@@' after '---' without the '+++' header.")]
    [InlineData("--- a/x\n+++ b/x\n@@ -1,x +1 @@\n", "Malformed diff at input line 3: malformed hunk header '@@ -1,x +1 @@'")]
    [InlineData("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n+b\n", "Malformed diff at input line 5: the input ended inside the hunk of input line 3 ('@@ -1,2 +1,2 @@'): 1 old and 0 new line(s) are missing.")]
    [InlineData("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", "Malformed diff at input line 6: a changed line after the hunk '@@ -1,1 +1,1 @@' was complete")]
    [InlineData("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n?b\n", "Malformed diff at input line 5: '?b' does not fit the hunk of input line 3")]
    [InlineData("--- /dev/null\n+++ /dev/null\n", "Malformed diff at input line 1: the file header names no path")]
    public void Malformed_input_throws_naming_the_line_and_the_problem(string text, string expected)
    {
        DiffParseException ex = Assert.Throws<DiffParseException>(() => DiffParser.Parse(text));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }
}
