using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gadfly;

/// <summary>
/// Renders a <see cref="ReviewOutcome"/> as a SARIF 2.1.0 log that code-scanning services accept (checked in CI with
/// Microsoft's SARIF Multitool, rule kinds <c>Gh;Sarif</c>): one run; tool driver <c>Gadfly</c> with an
/// <c>informationUri</c> and one rule per lens (stable opaque id <c>GF1001</c>…, readable name, help text and help
/// URI); one result per merged finding with its level mapped from the severity (critical/high → error, medium →
/// warning, low/info → note), its file and line with the line's text as snippet and the surrounding diff lines as
/// context region, and a <c>partialFingerprints</c> entry so a re-run's result de-duplicates against the last one;
/// one invocation whose <c>executionSuccessful</c> is false when no cell answered, with every failed cell as a
/// tool-execution notification.
/// </summary>
public static class SarifReport
{
    /// <summary>The <c>$schema</c> Gadfly writes.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>Where Gadfly is documented: the tool's <c>informationUri</c> and, with a lens anchor, each rule's <c>helpUri</c>.</summary>
    public const string InformationUri = "https://gitea.stevedudenhoeffer.com/steve/executus-dotnet/src/branch/main/examples/Gadfly/README.md";

    /// <summary>The <c>partialFingerprints</c> key: a hash of rule, file and the flagged line's text (not its number), plus an occurrence count.</summary>
    public const string FingerprintKey = "gadflyFinding/v1";

    private const int ContextLines = 2;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Renders <paramref name="outcome"/>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The SARIF JSON text.</returns>
    public static string Render(ReviewOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        List<Lens> lenses = [.. outcome.Lenses];
        foreach (string extra in outcome.Findings.Select(f => f.Lens).Distinct().Where(n => lenses.All(l => l.Name != n)))
        {
            lenses.Add(Lens.Named(extra));
        }

        var rules = new JsonArray([.. lenses.Select(Rule)]);
        var results = new JsonArray();
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (MergedFinding f in outcome.Findings)
        {
            int ruleIndex = lenses.FindIndex(l => l.Name == f.Lens);
            Lens lens = lenses[ruleIndex];
            DiffFile? file = outcome.Diff.FindFile(f.File);
            var physical = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = Uri(f.File) } };
            string lineText = string.Empty;
            if (f.Line > 0)
            {
                DiffLine[] hunk = file?.Hunks.Select(h => h.Lines.Where(l => l.NewLine is not null).ToArray()).FirstOrDefault(ls => ls.Any(l => l.NewLine == f.Line)) ?? [];
                int at = Array.FindIndex(hunk, l => l.NewLine == f.Line);
                var region = new JsonObject { ["startLine"] = f.Line };
                if (at >= 0)
                {
                    lineText = hunk[at].Text;
                    region["snippet"] = new JsonObject { ["text"] = lineText };
                    DiffLine[] context = hunk[Math.Max(0, at - ContextLines)..Math.Min(hunk.Length, at + ContextLines + 1)];
                    physical["region"] = region;
                    physical["contextRegion"] = new JsonObject
                    {
                        ["startLine"] = context[0].NewLine,
                        ["endLine"] = context[^1].NewLine,
                        ["snippet"] = new JsonObject { ["text"] = string.Join('\n', context.Select(l => l.Text)) + "\n" },
                    };
                }
                else
                {
                    physical["region"] = region;
                }
            }

            string text = f.Suggestion.Length > 0 ? $"{f.Message} Suggestion: {f.Suggestion}" : f.Message;
            string fingerprint = Fingerprint(lens.RuleId, f.File, lineText);
            int occurrence = occurrences[fingerprint] = occurrences.GetValueOrDefault(fingerprint) + 1;
            results.Add(new JsonObject
            {
                ["ruleId"] = lens.RuleId,
                ["ruleIndex"] = ruleIndex,
                ["level"] = f.Severity.SarifLevel(),
                ["message"] = new JsonObject { ["text"] = text },
                ["locations"] = new JsonArray(new JsonObject { ["physicalLocation"] = physical }),
                ["partialFingerprints"] = new JsonObject { [FingerprintKey] = string.Create(CultureInfo.InvariantCulture, $"{fingerprint}:{occurrence}") },
                ["properties"] = new JsonObject
                {
                    ["severity"] = f.Severity.Name(),
                    ["lens"] = f.Lens,
                    ["models"] = new JsonArray([.. f.Models.Select(m => (JsonNode)m)]),
                },
            });
        }

        var root = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "Gadfly",
                        ["version"] = typeof(SarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
                        ["informationUri"] = InformationUri,
                        ["rules"] = rules,
                    },
                },
                ["invocations"] = new JsonArray(Invocation(outcome)),
                ["results"] = results,
            }),
        };
        return root.ToJsonString(Indented);
    }

    private static JsonNode Rule(Lens lens)
    {
        string about = $"Gadfly asks each configured model to review the diff through the {lens.Name} lens and reports what they found; " +
            "the result's level follows the severity (critical/high → error, medium → warning, low/info → note) and its properties name the models that agreed.";
        return new JsonObject
        {
            ["id"] = lens.RuleId,
            ["name"] = lens.RuleName,
            ["shortDescription"] = new JsonObject { ["text"] = $"Gadfly {lens.Name} review." },
            ["fullDescription"] = new JsonObject { ["text"] = lens.Focus },
            ["help"] = new JsonObject
            {
                ["text"] = $"{lens.Focus} {about}",
                ["markdown"] = $"**{lens.RuleName}** — {lens.Focus}\n\n{about} Models can be wrong: read the finding against the code before acting on it.",
            },
            ["helpUri"] = InformationUri + "#lenses",
            ["defaultConfiguration"] = new JsonObject { ["level"] = "warning" },
            ["properties"] = new JsonObject { ["tags"] = new JsonArray("gadfly", lens.Name) },
        };
    }

    private static JsonObject Invocation(ReviewOutcome outcome)
    {
        // Why: a diff nobody reviewed must not look like a clean review in a code-scanning UI (SARIF 3.20.14).
        string level = outcome.Reviewed ? "warning" : "error";
        return new JsonObject
        {
            ["executionSuccessful"] = outcome.Reviewed,
            ["toolExecutionNotifications"] = new JsonArray([.. outcome.Failures.Select(c => (JsonNode)new JsonObject
            {
                ["level"] = level,
                ["message"] = new JsonObject { ["text"] = $"Cell {c.Model} × {c.Lens} gave no answer ({c.Status}): {c.Reason.ReplaceLineEndings(" ")}" },
                ["properties"] = new JsonObject { ["model"] = c.Model, ["lens"] = c.Lens, ["status"] = c.Status },
            })]),
            ["properties"] = new JsonObject
            {
                ["scripted"] = outcome.Scripted,
                ["reviewed"] = outcome.Reviewed,
                ["cells"] = new JsonArray([.. outcome.Cells.Select(c => (JsonNode)new JsonObject
                {
                    ["model"] = c.Model,
                    ["lens"] = c.Lens,
                    ["status"] = c.Status,
                    ["answeredBy"] = c.AnsweredBy,
                    ["totalTokens"] = c.Usage?.TotalTokenCount ?? 0,
                })]),
                ["totalTokens"] = outcome.Usage?.TotalTokenCount ?? 0,
            },
        };
    }

    // Why: the flagged line's text, not its number, so a finding keeps its fingerprint when lines above it move.
    private static string Fingerprint(string ruleId, string file, string lineText)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{ruleId}\n{file}\n{lineText.Trim()}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    // Why: SARIF URIs are URI references; a repository-relative path keeps '/' and escapes spaces and the like.
    private static string Uri(string path) =>
        string.Join('/', path.Replace('\\', '/').Split('/').Select(System.Uri.EscapeDataString));
}
