using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gadfly;

/// <summary>
/// Renders a <see cref="ReviewOutcome"/> as a SARIF 2.1.0 log, the format CI systems ingest for code annotations:
/// one run, tool driver <c>Gadfly</c> with one rule per lens, one result per merged finding with its level mapped
/// from the severity (critical/high → error, medium → warning, low/info → note) and its file and line.
/// </summary>
public static class SarifReport
{
    /// <summary>The <c>$schema</c> Gadfly writes.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

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

        var rules = new JsonArray([.. lenses.Select(l => (JsonNode)new JsonObject
        {
            ["id"] = l.Name,
            ["name"] = char.ToUpperInvariant(l.Name[0]) + l.Name[1..],
            ["shortDescription"] = new JsonObject { ["text"] = $"Gadfly {l.Name} review" },
            ["fullDescription"] = new JsonObject { ["text"] = l.Focus },
            ["defaultConfiguration"] = new JsonObject { ["level"] = "warning" },
        })]);

        var results = new JsonArray();
        foreach (MergedFinding f in outcome.Findings)
        {
            var physical = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = Uri(f.File) } };
            if (f.Line > 0)
            {
                physical["region"] = new JsonObject { ["startLine"] = f.Line };
            }

            string text = f.Suggestion.Length > 0 ? $"{f.Message} Suggestion: {f.Suggestion}" : f.Message;
            results.Add(new JsonObject
            {
                ["ruleId"] = f.Lens,
                ["ruleIndex"] = lenses.FindIndex(l => l.Name == f.Lens),
                ["level"] = f.Severity.SarifLevel(),
                ["message"] = new JsonObject { ["text"] = text },
                ["locations"] = new JsonArray(new JsonObject { ["physicalLocation"] = physical }),
                ["properties"] = new JsonObject
                {
                    ["severity"] = f.Severity.Name(),
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
                        ["rules"] = rules,
                    },
                },
                ["results"] = results,
            }),
        };
        return root.ToJsonString(Indented);
    }

    // Why: SARIF URIs are URI references; a repository-relative path keeps '/' and escapes spaces and the like.
    private static string Uri(string path) =>
        string.Join('/', path.Replace('\\', '/').Split('/').Select(System.Uri.EscapeDataString));
}
