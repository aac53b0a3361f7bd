using System.Globalization;
using System.Text;

namespace Gadfly;

/// <summary>Renders a <see cref="ReviewOutcome"/> as Markdown (what Gadfly prints, and what a CI job can post as a comment).</summary>
public static class MarkdownReport
{
    /// <summary>Renders <paramref name="outcome"/>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The Markdown.</returns>
    public static string Render(ReviewOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var md = new StringBuilder();
        md.AppendLine("# Gadfly review").AppendLine();
        md.AppendLine(outcome.Scripted
            ? "> **Models are SCRIPTED**: offline, deterministic rules standing in for models (no network, no API key). Set `GADFLY_MODELS` to review with real models."
            : $"> Models: {string.Join(", ", outcome.Models.Select(m => $"`{m}`"))} (real models).");
        md.AppendLine();
        int cells = outcome.Models.Count * outcome.Lenses.Count;
        md.AppendLine(CultureInfo.InvariantCulture, $"Reviewed {outcome.Diff.Files.Count} file(s), {outcome.Diff.AddedLineCount} added line(s): {outcome.Models.Count} model(s) × {outcome.Lenses.Count} lens(es) = {cells} cell(s), {outcome.SucceededCells} answered.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Models: {string.Join(", ", outcome.Models)}. Lenses: {string.Join(", ", outcome.Lenses.Select(l => l.Name))}.");
        if (outcome.Usage is { } usage)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Tokens: {usage.InputTokenCount ?? 0} in, {usage.OutputTokenCount ?? 0} out, {usage.TotalTokenCount ?? 0} total.");
        }

        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## Findings ({outcome.Findings.Count})").AppendLine();
        if (outcome.Findings.Count == 0)
        {
            md.AppendLine("No findings.");
        }
        else
        {
            md.AppendLine("| Severity | Location | Lens | Finding | Models |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (MergedFinding f in outcome.Findings)
            {
                string location = f.Line == 0 ? f.File : $"{f.File}:{f.Line}";
                string text = Cell(f.Message) + (f.Suggestion.Length > 0 ? "<br>*Suggestion:* " + Cell(f.Suggestion) : string.Empty);
                md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Severity.Name()} | `{Cell(location)}` | {f.Lens} | {text} | {Cell(string.Join(", ", f.Models))} ({f.Models.Count}/{outcome.Models.Count}) |");
            }
        }

        if (outcome.Cells.Count > 0)
        {
            // Why: a tier fails over between models; "answered by" shows which model really reviewed each cell.
            md.AppendLine().AppendLine("## Cells").AppendLine();
            md.AppendLine("| Model | Lens | Status | Answered by | Seconds | Tokens |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (ReviewCell cell in outcome.Cells)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(cell.Model)} | {cell.Lens} | {cell.Status} | {Cell(cell.AnsweredBy ?? "—")} | {cell.Duration.TotalSeconds:0.0} | {cell.Usage?.TotalTokenCount ?? 0} |");
            }
        }

        if (outcome.Failures.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (CellFailure failure in outcome.Failures)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- Note: cell {failure.Model} × {failure.Lens} gave no findings ({failure.Status}): {failure.Reason.ReplaceLineEndings(" ")}");
            }
        }

        md.AppendLine();
        IReadOnlyList<MergedFinding> blocking = outcome.Blocking;
        md.AppendLine(!outcome.Reviewed
            ? $"**Result: NOT REVIEWED** — none of the {cells} cell(s) answered, so nobody reviewed this diff (see the notes); Gadfly exits with code 2."
            : outcome.FailOn is not { } threshold
            ? "**Result: PASS** — GADFLY_FAIL_ON=none: findings never fail the review."
            : blocking.Count > 0
                ? $"**Result: FAIL** — {blocking.Count} finding(s) at or above '{threshold.Name()}' (GADFLY_FAIL_ON={threshold.Name()})."
                : $"**Result: PASS** — no finding at or above '{threshold.Name()}' (GADFLY_FAIL_ON={threshold.Name()}).");
        return md.ToString();
    }

    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
}
