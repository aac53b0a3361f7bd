using System.Text;

namespace Gadfly;

/// <summary>
/// Checks a model's <see cref="Review"/> against the diff: every finding names a file of the diff, a line that is 0 or
/// an added/context line of that file, a valid severity and a message. The problems go back to the model for repair.
/// </summary>
public static class ReviewValidator
{
    /// <summary>Returns null when <paramref name="review"/> is usable, otherwise every problem found.</summary>
    /// <param name="review">The answer.</param>
    /// <param name="diff">The diff under review.</param>
    /// <returns>The problems, or null.</returns>
    public static string? Validate(Review review, UnifiedDiff diff)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(diff);
        if (review.Findings is null)
        {
            return "'findings' is missing; answer {\"findings\": []} when there is nothing to report.";
        }

        var problems = new StringBuilder();
        for (int i = 0; i < review.Findings.Count; i++)
        {
            Finding? finding = review.Findings[i];
            string? problem = finding is null ? "is null" : Check(finding, diff);
            if (problem is not null)
            {
                problems.Append($"findings[{i}] {problem} ");
            }
        }

        return problems.Length == 0 ? null : problems.ToString().TrimEnd();
    }

    private static string? Check(Finding finding, UnifiedDiff diff)
    {
        if (string.IsNullOrWhiteSpace(finding.File) || diff.FindFile(finding.File) is not { } file)
        {
            return $"names file '{finding.File}', which is not in the diff; use one of: {string.Join(", ", diff.Files.Select(f => f.Path))}.";
        }

        if (!file.IsReviewableLine(finding.Line))
        {
            return $"points at line {finding.Line} of '{finding.File}', which is not an added or context line of the diff; use such a line, or 0 for the whole file.";
        }

        if (!Severities.TryParse(finding.Severity, out _))
        {
            return $"has severity '{finding.Severity}'; use one of {string.Join(", ", Severities.Names)}.";
        }

        return string.IsNullOrWhiteSpace(finding.Message) ? "has an empty message." : null;
    }
}
