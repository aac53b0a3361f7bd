using System.Text.Json;
using Executus.Configuration;
using Gadfly;

namespace Executus.Examples.Tests;

/// <summary>
/// The SARIF shape code-scanning services need (GitHub's GH rules and the SARIF SDK's own rules, as checked in CI with
/// the SARIF Multitool): opaque rule ids with readable names, help, informationUri, snippets, fingerprints.
/// </summary>
public sealed class GadflySarifTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gadfly-sarif-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Rules_have_opaque_ids_readable_names_help_and_the_driver_an_information_uri()
    {
        JsonElement run = await ReviewSampleAsync(new InMemoryConfigSource([new("GADFLY_LENSES", "security,readability,data-privacy")]));

        JsonElement driver = run.GetProperty("tool").GetProperty("driver");
        Assert.StartsWith("https://", driver.GetProperty("informationUri").GetString(), StringComparison.Ordinal);
        JsonElement[] rules = [.. driver.GetProperty("rules").EnumerateArray()];
        Assert.Equal(["GF1002", "GF1004", "GF9000/data-privacy"], rules.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(["Security", "Readability", "DataPrivacy"], rules.Select(r => r.GetProperty("name").GetString()));
        foreach (JsonElement rule in rules)
        {
            // GH2012: a help object; SARIF1001: the name differs from the id.
            Assert.NotEqual(rule.GetProperty("id").GetString(), rule.GetProperty("name").GetString(), StringComparer.OrdinalIgnoreCase);
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("help").GetProperty("text").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("help").GetProperty("markdown").GetString()));
            Assert.StartsWith("https://", rule.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("fullDescription").GetProperty("text").GetString()));
        }

        Assert.Contains("hard-coded secrets", rules[0].GetProperty("help").GetProperty("text").GetString(), StringComparison.Ordinal);
        JsonElement invocation = run.GetProperty("invocations")[0];
        Assert.True(invocation.GetProperty("executionSuccessful").GetBoolean());
        Assert.Empty(invocation.GetProperty("toolExecutionNotifications").EnumerateArray());
    }

    [Fact]
    public async Task Results_carry_the_flagged_line_as_snippet_the_hunk_around_it_as_context_and_a_fingerprint()
    {
        JsonElement run = await ReviewSampleAsync(new InMemoryConfigSource([new("GADFLY_LENSES", "security")]));

        JsonElement password = run.GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32() == 7);
        Assert.Equal("GF1002", password.GetProperty("ruleId").GetString());
        Assert.Equal(0, password.GetProperty("ruleIndex").GetInt32());
        JsonElement physical = password.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("    private const string AdminPassword = \"hunter2\";", physical.GetProperty("region").GetProperty("snippet").GetProperty("text").GetString());
        JsonElement context = physical.GetProperty("contextRegion");
        Assert.Equal(5, context.GetProperty("startLine").GetInt32());
        Assert.Equal(9, context.GetProperty("endLine").GetInt32());
        Assert.Contains("AdminPassword", context.GetProperty("snippet").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}:1$", password.GetProperty("partialFingerprints").GetProperty(SarifReport.FingerprintKey).GetString());
        Assert.Equal(["scripted-alpha", "scripted-beta"], password.GetProperty("properties").GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_fingerprint_survives_the_line_moving_so_a_rerun_deduplicates()
    {
        string sample = await File.ReadAllTextAsync(GadflyTests.SampleDiffPath);
        // Two lines added above the hunk (outside it): every new-file line number of the hunk moves down by two.
        string shifted = sample.Replace("@@ -4,10 +4,30 @@ namespace Shop;", "@@ -4,10 +6,30 @@ namespace Shop;", StringComparison.Ordinal);
        Assert.NotEqual(sample, shifted);

        string before = Fingerprint(await ReviewAsync(sample), 7);
        string after = Fingerprint(await ReviewAsync(shifted), 9);

        Assert.Equal(before, after);
    }

    private async Task<JsonElement> ReviewAsync(string diff)
    {
        string sarif = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".sarif");
        using var input = new StringReader(diff);
        int exit = await GadflyApp.RunAsync(["-"], input, TextWriter.Null, TextWriter.Null, new InMemoryConfigSource([new("GADFLY_LENSES", "security"), new("GADFLY_SARIF", sarif)]));
        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        using JsonDocument log = JsonDocument.Parse(await File.ReadAllTextAsync(sarif));
        return log.RootElement.GetProperty("runs")[0].Clone();
    }

    private static string Fingerprint(JsonElement run, int line) =>
        run.GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32() == line)
            .GetProperty("partialFingerprints").GetProperty(SarifReport.FingerprintKey).GetString()!;

    private async Task<JsonElement> ReviewSampleAsync(InMemoryConfigSource config)
    {
        string sarif = Path.Combine(_dir, "review.sarif");
        config.Set("GADFLY_SARIF", sarif);
        (int exit, _, _) = await GadflyTests.RunAsync([GadflyTests.SampleDiffPath], config);
        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        string text = await File.ReadAllTextAsync(sarif);
        Assert.Empty((await GadflyTests.SarifSchemaAsync()).Validate(text));
        using JsonDocument log = JsonDocument.Parse(text);
        return log.RootElement.GetProperty("runs")[0].Clone();
    }
}
