using System.Text.Json;
using Executus.Configuration;
using Executus.Testing;
using Gadfly;
using Microsoft.Extensions.AI;
using NJsonSchema;

namespace Executus.Examples.Tests;

/// <summary>Gadfly end to end: the offline review of the sample diff, its reports, the exit code policy and bad input.</summary>
public sealed class GadflyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gadfly-tests-").FullName;

    public static string SampleDiffPath => Path.Combine(RepoRoot(), "examples", "Gadfly", "sample.diff");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Reviews_the_sample_diff_offline_merging_findings_across_models_and_writing_markdown_json_and_sarif()
    {
        string json = Path.Combine(_dir, "review.json");
        string sarif = Path.Combine(_dir, "review.sarif");
        var config = new InMemoryConfigSource([new("GADFLY_JSON", json), new("GADFLY_SARIF", sarif)]);

        (int exit, string markdown, string errors) = await RunAsync([SampleDiffPath], config);

        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        AssertOnlyProgress(errors, 8);
        Assert.Contains("**Models are SCRIPTED**", markdown, StringComparison.Ordinal);
        Assert.Contains("2 model(s) × 4 lens(es) = 8 cell(s), 8 answered", markdown, StringComparison.Ordinal);
        Assert.Contains("| critical | `src/Shop/OrderRepository.cs:7` | security | Hard-coded password committed in source.", markdown, StringComparison.Ordinal);
        Assert.Contains("scripted-alpha, scripted-beta (2/2)", markdown, StringComparison.Ordinal);
        Assert.Contains("**Result: FAIL** — 2 finding(s) at or above 'high' (GADFLY_FAIL_ON=high).", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("## Notes", markdown, StringComparison.Ordinal);

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement root = report.RootElement;
        Assert.True(root.GetProperty("scripted").GetBoolean());
        JsonElement[] findings = [.. root.GetProperty("findings").EnumerateArray()];
        // alpha reports 5 and beta 5 (10 in all); 4 pairs agree, so 6 remain after the merge.
        Assert.Equal(6, findings.Length);
        JsonElement password = findings.Single(f => f.GetProperty("line").GetInt32() == 7);
        Assert.Equal("critical", password.GetProperty("severity").GetString());
        Assert.Equal(["scripted-alpha", "scripted-beta"], password.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        JsonElement todo = findings.Single(f => f.GetProperty("lens").GetString() == "readability");
        Assert.Equal(["scripted-alpha"], todo.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(5440, root.GetProperty("usage").GetProperty("totalTokens").GetInt32());
        Assert.Empty(root.GetProperty("failedCells").EnumerateArray());

        string sarifText = await File.ReadAllTextAsync(sarif);
        JsonSchema schema = await SarifSchemaAsync();
        Assert.Empty(schema.Validate(sarifText));
        using JsonDocument log = JsonDocument.Parse(sarifText);
        JsonElement run = log.RootElement.GetProperty("runs")[0];
        JsonElement driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("Gadfly", driver.GetProperty("name").GetString());
        Assert.Equal(["GF1001", "GF1002", "GF1003", "GF1004"], driver.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        JsonElement[] results = [.. run.GetProperty("results").EnumerateArray()];
        Assert.Equal(6, results.Length);
        JsonElement first = results[0];
        Assert.Equal("GF1002", first.GetProperty("ruleId").GetString());
        Assert.Equal(1, first.GetProperty("ruleIndex").GetInt32());
        Assert.Equal("error", first.GetProperty("level").GetString());
        JsonElement location = first.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("src/Shop/OrderRepository.cs", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(7, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(["error", "error", "warning", "warning", "warning", "note"], results.Select(r => r.GetProperty("level").GetString()));
    }

    [Theory]
    [InlineData(null, GadflyApp.FindingsAtOrAboveThreshold)]
    [InlineData("critical", GadflyApp.FindingsAtOrAboveThreshold)]
    [InlineData("LOW", GadflyApp.FindingsAtOrAboveThreshold)]
    [InlineData("none", GadflyApp.Passed)]
    public async Task The_exit_code_follows_GADFLY_FAIL_ON(string? failOn, int expected)
    {
        var config = new InMemoryConfigSource();
        if (failOn is not null)
        {
            config.Set("GADFLY_FAIL_ON", failOn);
        }

        (int exit, string markdown, _) = await RunAsync([SampleDiffPath], config);

        Assert.Equal(expected, exit);
        Assert.Contains(expected == GadflyApp.Passed ? "**Result: PASS**" : "**Result: FAIL**", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Findings_below_the_threshold_pass_and_above_it_fail()
    {
        var readabilityOnly = new InMemoryConfigSource([new("GADFLY_LENSES", "readability")]);
        (int exit, string markdown, _) = await RunAsync([SampleDiffPath], readabilityOnly);
        Assert.Equal(GadflyApp.Passed, exit);
        Assert.Contains("**Result: PASS** — no finding at or above 'high'", markdown, StringComparison.Ordinal);

        readabilityOnly.Set("GADFLY_FAIL_ON", "low");
        (exit, markdown, _) = await RunAsync([SampleDiffPath], readabilityOnly);
        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        Assert.Contains("**Result: FAIL** — 1 finding(s) at or above 'low'", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_returns_invalid_JSON_for_one_cell_does_not_sink_the_review()
    {
        string json = Path.Combine(_dir, "review.json");
        string sarif = Path.Combine(_dir, "review.sarif");
        var flaky = new ScriptedChatClient("flaky");
        flaky.WhenExhausted(request => flaky.CreateResponse([new TextContent(
            ScriptedReviewers.LensOf(request.Messages) == "security" ? "Sure! Here are my findings: the password is bad." : """{"findings": []}""")]));
        var config = new InMemoryConfigSource([new("GADFLY_JSON", json), new("GADFLY_SARIF", sarif)]);

        (int exit, string markdown, string errors) = await RunAsync(
            [SampleDiffPath], config, diff => [.. ScriptedReviewers.Create(diff), new ReviewModel("flaky", flaky)]);

        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        AssertOnlyProgress(errors, 12);
        Assert.Contains("gadfly: [", errors, StringComparison.Ordinal);
        Assert.Contains("flaky × security: failed in ", errors, StringComparison.Ordinal);
        Assert.Contains("3 model(s) × 4 lens(es) = 12 cell(s), 11 answered", markdown, StringComparison.Ordinal);
        Assert.Contains("- Note: cell flaky × security gave no findings (Failed): The model gave no usable Review in 3 tries", markdown, StringComparison.Ordinal);
        Assert.Contains("scripted-alpha, scripted-beta (2/3)", markdown, StringComparison.Ordinal);
        Assert.Equal(3, flaky.Requests.Count(r => ScriptedReviewers.LensOf(r.Messages) == "security"));

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement failed = Assert.Single(report.RootElement.GetProperty("failedCells").EnumerateArray().ToArray());
        Assert.Equal("flaky", failed.GetProperty("model").GetString());
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Equal(6, report.RootElement.GetProperty("findings").GetArrayLength());
        Assert.Empty((await SarifSchemaAsync()).Validate(await File.ReadAllTextAsync(sarif)));
    }

    [Fact]
    public async Task A_finding_outside_the_diff_is_sent_back_for_repair_and_the_corrected_answer_counts()
    {
        var model = new ScriptedChatClient("repairing");
        model.ReplyText("""{"findings":[{"file":"src/Shop/OrderRepository.cs","line":999,"severity":"high","lens":"security","message":"Bad line.","suggestion":"x"}]}""")
            .ReplyText("""{"findings":[{"file":"src/Shop/OrderRepository.cs","line":20,"severity":"HIGH","lens":"sec","message":"Injection through customer.","suggestion":"Parameterise."}]}""");
        var config = new InMemoryConfigSource([new("GADFLY_LENSES", "security")]);

        (int exit, string markdown, _) = await RunAsync([SampleDiffPath], config, _ => [new ReviewModel("repairing", model)]);

        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        Assert.Contains("| high | `src/Shop/OrderRepository.cs:20` | security | Injection through customer.", markdown, StringComparison.Ordinal);
        Assert.Equal(2, model.Requests.Count);
        Assert.Contains("points at line 999", model.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GADFLY_MODELS_switches_to_real_models_through_the_OpenAI_compatible_provider()
    {
        using var endpoint = new OpenAICompatibleStub(body => body.Contains("Lens: security", StringComparison.Ordinal)
            ? """{"findings":[{"file":"src/Shop/OrderRepository.cs","line":20,"severity":"critical","lens":"security","message":"Customer name is concatenated into SQL.","suggestion":"Use a parameter."}]}"""
            : """{"findings":[]}""");
        var config = new InMemoryConfigSource(
        [
            new("GADFLY_MODELS", "openai:review-model,fast"),
            new("GADFLY_LENSES", "security,performance"),
            new("Executus:Models:Tiers:fast", "openai:small-model"),
            new("Executus:Providers:openai:BaseUrl", endpoint.BaseUrl.ToString()),
            new("Executus:Providers:openai:ApiKey", "test-key"),
        ]);

        (int exit, string markdown, string errors) = await RunAsync([SampleDiffPath], config);

        AssertOnlyProgress(errors, 4);
        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        Assert.DoesNotContain("SCRIPTED", markdown, StringComparison.Ordinal);
        Assert.Contains("| fast | security | Succeeded | small-model |", markdown, StringComparison.Ordinal);
        Assert.Contains("fast × security: succeeded in ", errors, StringComparison.Ordinal);
        Assert.Contains(", answered by small-model, 120 tokens", errors, StringComparison.Ordinal);
        Assert.Contains("> Models: `openai:review-model`, `fast` (real models).", markdown, StringComparison.Ordinal);
        Assert.Contains("| critical | `src/Shop/OrderRepository.cs:20` | security | Customer name is concatenated into SQL.", markdown, StringComparison.Ordinal);
        Assert.Contains("openai:review-model, fast (2/2)", markdown, StringComparison.Ordinal);
        Assert.Equal(4, endpoint.Bodies.Count);
        Assert.All(endpoint.Bodies, b => Assert.Contains("json_schema", b, StringComparison.Ordinal));
        Assert.Equal(2, endpoint.Bodies.Count(b => b.Contains("\"model\":\"small-model\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_malformed_diff_on_stdin_exits_2_naming_the_line()
    {
        const string diff = "--- a/x.cs\n+++ b/x.cs\n@@ -1,2 +1,3 @@\n context\n+added\n";

        (int exit, string markdown, string errors) = await RunAsync([], new InMemoryConfigSource(), stdin: diff);

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Equal(string.Empty, markdown);
        Assert.Contains("gadfly: cannot read the diff: Malformed diff at input line 5: the input ended inside the hunk of input line 3", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_that_is_not_a_diff_exits_2()
    {
        (int exit, _, string errors) = await RunAsync(["-"], new InMemoryConfigSource(), stdin: "hello\nworld\n");

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("No file found in the input", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_diff_read_from_stdin_gives_the_same_review()
    {
        (int exit, string markdown, _) = await RunAsync(["-"], new InMemoryConfigSource(), stdin: await File.ReadAllTextAsync(SampleDiffPath));

        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        Assert.Contains("## Findings (6)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_GADFLY_FAIL_ON_value_exits_2_with_a_configuration_message()
    {
        (int exit, string markdown, string errors) = await RunAsync([SampleDiffPath], new InMemoryConfigSource([new("GADFLY_FAIL_ON", "bogus")]));

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Equal(string.Empty, markdown);
        Assert.Contains(
            "gadfly: configuration error: Configuration key 'GADFLY_FAIL_ON' has the value 'bogus', which is not one of info, low, medium, high, critical, none.",
            errors,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GADFLY_CONCURRENCY", "0")]
    [InlineData("GADFLY_CELL_TIMEOUT", "soon")]
    [InlineData("GADFLY_LENSES", "security,Bad Lens")]
    [InlineData("GADFLY_LENSES", "security,security")]
    [InlineData("GADFLY_MAX_ATTEMPTS", "11")]
    public async Task A_malformed_setting_exits_2_naming_the_variable(string key, string value)
    {
        (int exit, _, string errors) = await RunAsync([SampleDiffPath], new InMemoryConfigSource([new(key, value)]));

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains($"Configuration key '{key}'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unconfigured_model_tier_exits_2_naming_the_tier()
    {
        (int exit, _, string errors) = await RunAsync([SampleDiffPath], new InMemoryConfigSource([new("GADFLY_MODELS", "nosuchtier")]));

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("configuration error in GADFLY_MODELS: Model tier 'nosuchtier' is not configured", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_and_too_many_arguments_exit_2()
    {
        (int exit, _, string errors) = await RunAsync([Path.Combine(_dir, "missing.diff")], new InMemoryConfigSource());
        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("cannot read", errors, StringComparison.Ordinal);

        (exit, _, errors) = await RunAsync(["a.diff", "b.diff"], new InMemoryConfigSource());
        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("expected at most one argument", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_cell_answers_the_review_exits_2()
    {
        var broken = new ScriptedChatClient("broken");
        broken.WhenExhausted(_ => broken.CreateResponse([new TextContent("not json")]));

        (int exit, string markdown, string errors) = await RunAsync(
            [SampleDiffPath], new InMemoryConfigSource([new("GADFLY_MAX_ATTEMPTS", "1")]), _ => [new ReviewModel("broken", broken)]);

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("0 answered", markdown, StringComparison.Ordinal);
        Assert.Contains("no cell of the review grid answered", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_schema_rejects_invalid_sarif()
    {
        JsonSchema schema = await SarifSchemaAsync();
        const string invalid = """
            { "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "Gadfly", "colour": "red" } },
              "results": [ { "ruleId": "security", "level": "fatal", "message": { "text": "x" },
                "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "a.cs" }, "region": { "startLine": 0 } } } ] },
                { "ruleId": "security" } ] } ] }
            """;

        string[] errors = [.. schema.Validate(invalid).Select(e => e.ToString())];

        Assert.Contains(errors, e => e.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("NotInEnumeration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("startLine", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("message", StringComparison.Ordinal));
        Assert.NotEmpty(schema.Validate("""{ "version": "2.0.0", "runs": [] }"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_diff_path_exits_2_with_a_gadfly_message_instead_of_crashing(string path)
    {
        (int exit, string markdown, string errors) = await RunAsync([path], new InMemoryConfigSource());

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Equal(string.Empty, markdown);
        Assert.StartsWith("gadfly: the diff path argument is empty (an unset variable in the calling script?)", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_cell_answers_every_report_says_not_reviewed_and_counts_the_tokens_spent()
    {
        string json = Path.Combine(_dir, "review.json");
        string sarif = Path.Combine(_dir, "review.sarif");
        var broken = new ScriptedChatClient("broken");
        broken.WhenExhausted(_ => broken.CreateResponse([new TextContent("not json")], new UsageDetails { InputTokenCount = 100, OutputTokenCount = 5 }));
        var config = new InMemoryConfigSource([new("GADFLY_MAX_ATTEMPTS", "2"), new("GADFLY_LENSES", "security,performance"), new("GADFLY_JSON", json), new("GADFLY_SARIF", sarif)]);

        (int exit, string markdown, string errors) = await RunAsync([SampleDiffPath], config, _ => [new ReviewModel("broken", broken)]);

        Assert.Equal(GadflyApp.UsageOrInputError, exit);
        Assert.Contains("**Result: NOT REVIEWED** — none of the 2 cell(s) answered", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("**Result: PASS**", markdown, StringComparison.Ordinal);
        // 2 cells × 2 tries × (100 in + 5 out): failed cells' tokens are counted, and a missing total is filled in.
        Assert.Contains("Tokens: 400 in, 20 out, 420 total.", markdown, StringComparison.Ordinal);
        Assert.Contains("broken × security: failed in ", errors, StringComparison.Ordinal);

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement root = report.RootElement;
        Assert.True(root.GetProperty("failed").GetBoolean());
        Assert.False(root.GetProperty("reviewed").GetBoolean());
        Assert.Equal("not-reviewed", root.GetProperty("result").GetString());
        Assert.Equal(420, root.GetProperty("usage").GetProperty("totalTokens").GetInt32());
        Assert.All(root.GetProperty("cells").EnumerateArray(), c => Assert.Equal(210, c.GetProperty("totalTokens").GetInt32()));

        string sarifText = await File.ReadAllTextAsync(sarif);
        Assert.Empty((await SarifSchemaAsync()).Validate(sarifText));
        using JsonDocument log = JsonDocument.Parse(sarifText);
        JsonElement run = log.RootElement.GetProperty("runs")[0];
        Assert.Empty(run.GetProperty("results").EnumerateArray());
        JsonElement invocation = Assert.Single(run.GetProperty("invocations").EnumerateArray().ToArray());
        Assert.False(invocation.GetProperty("executionSuccessful").GetBoolean());
        JsonElement[] notes = [.. invocation.GetProperty("toolExecutionNotifications").EnumerateArray()];
        Assert.Equal(2, notes.Length);
        Assert.All(notes, n => Assert.Equal("error", n.GetProperty("level").GetString()));
        Assert.StartsWith("Cell broken × security gave no answer (Failed): The model gave no usable Review in 2 tries", notes[0].GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reports_show_which_model_answered_when_a_tier_fails_over()
    {
        string json = Path.Combine(_dir, "review.json");
        var down = new ScriptedChatClient("primary-model").ThrowHttp(System.Net.HttpStatusCode.ServiceUnavailable);
        IReadOnlyList<ReviewModel> Models(UnifiedDiff diff)
        {
            IChatClient backup = ScriptedReviewers.Create(diff)[1].Client;
            var tier = new Executus.Models.ModelFailoverChatClient([new("openai:primary-model", down), new("openai:backup-model", backup)]);
            return [new ReviewModel("smart", tier)];
        }

        (int exit, string markdown, string errors) = await RunAsync(
            [SampleDiffPath], new InMemoryConfigSource([new("GADFLY_LENSES", "security"), new("GADFLY_JSON", json)]), Models);

        Assert.Equal(GadflyApp.FindingsAtOrAboveThreshold, exit);
        Assert.Contains("| smart | security | Succeeded | scripted-beta |", markdown, StringComparison.Ordinal);
        Assert.Contains("gadfly: [1/1] smart × security: succeeded in ", errors, StringComparison.Ordinal);
        Assert.Contains(", answered by scripted-beta, 680 tokens", errors, StringComparison.Ordinal);
        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("scripted-beta", report.RootElement.GetProperty("cells")[0].GetProperty("answeredBy").GetString());
    }

    private static void AssertOnlyProgress(string errors, int cells)
    {
        string[] lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(cells, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Matches($@"^gadfly: \[{i + 1}/{cells}\] \S+ × [a-z-]+: (succeeded|failed|timed out) in \d+\.\ds", lines[i]);
        }
    }

    internal static async Task<JsonSchema> SarifSchemaAsync() =>
        await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Schemas", "sarif-schema-2.1.0.json")));

    internal static async Task<(int Exit, string Markdown, string Errors)> RunAsync(
        string[] args, IConfigSource config, Func<UnifiedDiff, IReadOnlyList<ReviewModel>>? models = null, string stdin = "")
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await GadflyApp.RunAsync(args, input, output, error, config, models);
        return (exit, output.ToString(), error.ToString());
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Executus.sln not found above {AppContext.BaseDirectory}.");
    }
}
