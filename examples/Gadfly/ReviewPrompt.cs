using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>Builds the messages of one cell: the lens instructions and the diff with new-file line numbers.</summary>
public static class ReviewPrompt
{
    /// <summary>Builds the conversation asking for a <see cref="Review"/> of <paramref name="diff"/> under <paramref name="lens"/>.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="lens">The lens.</param>
    /// <returns>The messages.</returns>
    public static IReadOnlyList<ChatMessage> Build(UnifiedDiff diff, Lens lens)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(lens);
        string system = $"""
            You are Gadfly, a strict but fair pull-request reviewer. Review the diff under ONE lens only.
            Lens: {lens.Name}
            Focus: {lens.Focus}
            Report real problems in the added lines (marked '+'); context lines are there to help you understand.
            Every finding names a file exactly as written after 'File:', the new-file line number shown at the start of
            the line (or 0 for the file as a whole), a severity (info, low, medium, high, critical), the lens
            '{lens.Name}', a one-sentence message and a short suggestion. Answer {"{"}"findings": []{"}"} when nothing is wrong.
            """;
        return [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, Render(diff))];
    }

    /// <summary>Renders the diff with the new-file line number before each added or context line.</summary>
    /// <param name="diff">The diff.</param>
    /// <returns>The text.</returns>
    public static string Render(UnifiedDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var text = new StringBuilder();
        foreach (DiffFile file in diff.Files)
        {
            text.Append("File: ").Append(file.Path);
            text.AppendLine(file.IsAdded ? " (new file)" : file.IsDeleted ? " (deleted)" : file.IsBinary ? " (binary)" : string.Empty);
            foreach (DiffHunk hunk in file.Hunks)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"@@ -{hunk.OldStart},{hunk.OldCount} +{hunk.NewStart},{hunk.NewCount} @@ {hunk.Section}").TrimEnd());
                foreach (DiffLine line in hunk.Lines)
                {
                    string number = line.NewLine?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
                    char prefix = line.Kind switch { DiffLineKind.Added => '+', DiffLineKind.Removed => '-', _ => ' ' };
                    text.AppendLine(CultureInfo.InvariantCulture, $"{number,5} {prefix}{line.Text}");
                }
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
