using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gadfly;

/// <summary>Renders a <see cref="ReviewOutcome"/> as Gadfly's own JSON report (for scripts and dashboards).</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Renders <paramref name="outcome"/>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The JSON text.</returns>
    public static string Render(ReviewOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var root = new JsonObject
        {
            ["tool"] = "Gadfly",
            ["scripted"] = outcome.Scripted,
            ["models"] = new JsonArray([.. outcome.Models.Select(m => (JsonNode)m)]),
            ["lenses"] = new JsonArray([.. outcome.Lenses.Select(l => (JsonNode)l.Name)]),
            ["failOn"] = outcome.FailOn?.Name() ?? "none",
            // Why: "failed" is true when nobody reviewed the diff too — a script reading only this flag must not pass it.
            ["reviewed"] = outcome.Reviewed,
            ["result"] = !outcome.Reviewed ? "not-reviewed" : outcome.Blocking.Count > 0 ? "fail" : "pass",
            ["failed"] = outcome.Failed,
            ["findings"] = new JsonArray([.. outcome.Findings.Select(f => (JsonNode)new JsonObject
            {
                ["file"] = f.File,
                ["line"] = f.Line,
                ["lens"] = f.Lens,
                ["severity"] = f.Severity.Name(),
                ["message"] = f.Message,
                ["suggestion"] = f.Suggestion,
                ["models"] = new JsonArray([.. f.Models.Select(m => (JsonNode)m)]),
            })]),
            ["failedCells"] = new JsonArray([.. outcome.Failures.Select(c => (JsonNode)new JsonObject
            {
                ["model"] = c.Model,
                ["lens"] = c.Lens,
                ["status"] = c.Status,
                ["reason"] = c.Reason,
            })]),
            ["cells"] = new JsonArray([.. outcome.Cells.Select(c => (JsonNode)new JsonObject
            {
                ["model"] = c.Model,
                ["lens"] = c.Lens,
                ["status"] = c.Status,
                ["answeredBy"] = c.AnsweredBy,
                ["seconds"] = Math.Round(c.Duration.TotalSeconds, 3),
                ["totalTokens"] = c.Usage?.TotalTokenCount ?? 0,
                ["error"] = c.Error,
            })]),
            ["usage"] = new JsonObject
            {
                ["inputTokens"] = outcome.Usage?.InputTokenCount ?? 0,
                ["outputTokens"] = outcome.Usage?.OutputTokenCount ?? 0,
                ["totalTokens"] = outcome.Usage?.TotalTokenCount ?? 0,
            },
        };
        return root.ToJsonString(Indented);
    }
}
