using Gadfly;

namespace Executus.Examples.Tests;

public class GadflyMergeTests
{
    private static ModelFinding F(string model, string severity, string message, string lens = "security", int line = 7, string file = "a.cs") =>
        new(model, new Finding(file, line, severity, lens, message, $"fix from {model}"));

    [Fact]
    public void Similar_reports_on_the_same_file_line_and_lens_merge_keeping_the_highest_severity_and_every_model()
    {
        MergedFinding merged = Assert.Single(FindingMerger.Merge(
        [
            F("alpha", "high", "Hard-coded password in source code."),
            F("beta", "critical", "Hard-coded password committed in source."),
            F("gamma", "medium", "A hard-coded password sits in the source code."),
        ]));

        Assert.Equal(Severity.Critical, merged.Severity);
        Assert.Equal("Hard-coded password committed in source.", merged.Message);
        Assert.Equal("fix from beta", merged.Suggestion);
        Assert.Equal(["alpha", "beta", "gamma"], merged.Models);
    }

    [Fact]
    public void Different_problems_lenses_lines_or_files_stay_apart_and_order_by_severity()
    {
        IReadOnlyList<MergedFinding> merged = FindingMerger.Merge(
        [
            F("alpha", "low", "Hard-coded password in source code."),
            F("alpha", "high", "Hard-coded password in source code.", lens: "readability"),
            F("beta", "medium", "The logger writes the connection string at debug level."),
            F("beta", "critical", "Hard-coded password in source code.", line: 8),
            F("beta", "info", "Hard-coded password in source code.", file: "b.cs"),
        ]);

        Assert.Equal(5, merged.Count);
        Assert.Equal([Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Info], merged.Select(m => m.Severity));
        Assert.All(merged, m => Assert.Single(m.Models));
    }

    [Fact]
    public void A_model_repeating_itself_counts_once_and_the_first_report_leads_on_a_tie()
    {
        MergedFinding merged = Assert.Single(FindingMerger.Merge(
        [
            F("alpha", "medium", "Thread.Sleep blocks the calling thread."),
            F("alpha", "medium", "Thread.Sleep blocks the thread."),
        ]));

        Assert.Equal(["alpha"], merged.Models);
        Assert.Equal("Thread.Sleep blocks the calling thread.", merged.Message);
    }

    [Theory]
    [InlineData("Empty catch block swallows exceptions.", "Empty catch block silently swallows exceptions.", 5.0 / 6)]
    [InlineData("SQL injection.", "Thread.Sleep blocks.", 0.0)]
    [InlineData("!!", "!!", 1.0)]
    [InlineData("a b", "c d", 0.0)]
    public void Similarity_is_the_word_overlap_of_the_significant_words(string a, string b, double expected) =>
        Assert.Equal(expected, FindingMerger.Similarity(a, b), 6);

    [Fact]
    public void The_validator_names_each_bad_finding_and_accepts_good_ones()
    {
        UnifiedDiff diff = DiffParser.Parse(File.ReadAllText(GadflyTests.SampleDiffPath));
        const string file = "src/Shop/OrderRepository.cs";

        Assert.Null(ReviewValidator.Validate(new Review([new(file, 7, "High", "security", "m", "s"), new(file, 0, "info", "security", "m", "s")]), diff));
        Assert.Null(ReviewValidator.Validate(new Review([]), diff));

        string? problems = ReviewValidator.Validate(
            new Review(
            [
                new("src/Nope.cs", 1, "high", "security", "m", "s"),
                new(file, 3, "high", "security", "m", "s"),
                new(file, 7, "severe", "security", "m", "s"),
                new(file, 7, "low", "security", " ", "s"),
                new("src/Shop/Legacy.cs", 1, "low", "security", "m", "s"),
            ]),
            diff);

        Assert.NotNull(problems);
        Assert.Contains("findings[0] names file 'src/Nope.cs', which is not in the diff; use one of: docs/notes.md,", problems, StringComparison.Ordinal);
        Assert.Contains("findings[1] points at line 3 of 'src/Shop/OrderRepository.cs'", problems, StringComparison.Ordinal);
        Assert.Contains("findings[2] has severity 'severe'; use one of info, low, medium, high, critical.", problems, StringComparison.Ordinal);
        Assert.Contains("findings[3] has an empty message.", problems, StringComparison.Ordinal);
        Assert.Contains("findings[4] points at line 1 of 'src/Shop/Legacy.cs'", problems, StringComparison.Ordinal);
        Assert.Contains("'findings' is missing", ReviewValidator.Validate(new Review(null!), diff), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_default_to_four_lenses_offline_models_and_fail_on_high()
    {
        GadflySettings settings = GadflySettings.Read(new Executus.Configuration.InMemoryConfigSource());

        Assert.Empty(settings.Models);
        Assert.Equal(["correctness", "security", "performance", "readability"], settings.Lenses.Select(l => l.Name));
        Assert.Equal((4, TimeSpan.FromMinutes(2), 3, (Severity?)Severity.High), (settings.MaxConcurrency, settings.CellTimeout, settings.MaxAttempts, settings.FailOn));
        Assert.Null(settings.JsonPath);
        Assert.Null(settings.SarifPath);

        GadflySettings custom = GadflySettings.Read(new Executus.Configuration.InMemoryConfigSource(
        [
            new("GADFLY_MODELS", "smart, openai:gpt-4o-mini"), new("GADFLY_LENSES", "security,licensing"), new("GADFLY_CELL_TIMEOUT", "90s"),
            new("GADFLY_CONCURRENCY", "2"), new("GADFLY_FAIL_ON", "medium"),
        ]));
        Assert.Equal(["smart", "openai:gpt-4o-mini"], custom.Models);
        Assert.Equal("Problems of the kind 'licensing' names.", custom.Lenses[1].Focus);
        Assert.Equal((2, TimeSpan.FromSeconds(90), (Severity?)Severity.Medium), (custom.MaxConcurrency, custom.CellTimeout, custom.FailOn));
    }
}
