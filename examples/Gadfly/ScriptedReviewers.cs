using System.Text.Json;
using System.Text.RegularExpressions;
using Executus.Testing;
using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>
/// The two offline models: scripted clients whose deterministic responders read the lens from the prompt and flag
/// the diff's added lines with simple rules (hard-coded passwords, string-built SQL, Thread.Sleep, TODO notes, empty
/// catch blocks, synchronous waits). They overlap on purpose, with different wording and severities, so the merge
/// has something to merge.
/// </summary>
public static partial class ScriptedReviewers
{
    private static readonly UsageDetails CellUsage = new() { InputTokenCount = 600, OutputTokenCount = 80, TotalTokenCount = 680 };

    private static readonly Rule[] Alpha =
    [
        new("security", Password(), Severity.High, "Hard-coded password in source code.", "Read the secret from configuration or a secret store."),
        new("security", ConcatenatedSql(), Severity.Critical, "SQL built by string concatenation: SQL injection risk.", "Use a parameterised command."),
        new("performance", ThreadSleep(), Severity.Medium, "Thread.Sleep blocks a thread on a hot path.", "Use await Task.Delay with a cancellation token."),
        new("readability", TodoNote(), Severity.Low, "Leftover TODO note in new code.", "Track the work in an issue and remove the note."),
        new("correctness", EmptyCatch(), Severity.Medium, "Empty catch block swallows exceptions.", "Log the exception or let it propagate."),
    ];

    private static readonly Rule[] Beta =
    [
        new("security", Password(), Severity.Critical, "Hard-coded password committed in source.", "Rotate the password and load it from a secret store."),
        new("security", ConcatenatedSql(), Severity.High, "SQL built by string concatenation invites SQL injection.", "Pass the value as a command parameter."),
        new("performance", ThreadSleep(), Severity.Medium, "Thread.Sleep blocks the calling thread.", "Await Task.Delay instead."),
        new("correctness", EmptyCatch(), Severity.Medium, "Empty catch block silently swallows exceptions.", "Handle the failure or rethrow it."),
        new("correctness", SyncWait(), Severity.Medium, "Synchronous wait on a task can deadlock.", "Make the caller async and await the task."),
    ];

    /// <summary>Creates the two scripted models for <paramref name="diff"/>.</summary>
    /// <param name="diff">The diff under review.</param>
    /// <returns>The models <c>scripted-alpha</c> and <c>scripted-beta</c>.</returns>
    public static IReadOnlyList<ReviewModel> Create(UnifiedDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return [Create("scripted-alpha", Alpha, diff), Create("scripted-beta", Beta, diff)];
    }

    /// <summary>Returns the lens a Gadfly prompt asks for (its <c>Lens: name</c> line), or null.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <returns>The lens name or null.</returns>
    public static string? LensOf(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Select(m => LensLine().Match(m.Text)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
    }

    private static ReviewModel Create(string name, Rule[] rules, UnifiedDiff diff)
    {
        var client = new ScriptedChatClient(name);
        client.WhenExhausted(request =>
        {
            string lens = LensOf(request.Messages) ?? string.Empty;
            Finding[] findings =
            [
                .. from file in diff.Files
                   from line in file.AddedLines
                   from rule in rules
                   where rule.Lens == lens && rule.Pattern.IsMatch(line.Text)
                   select new Finding(file.Path, line.NewLine!.Value, rule.Severity.Name(), lens, rule.Message, rule.Suggestion),
            ];
            string json = JsonSerializer.Serialize(new Review(findings), AIJsonUtilities.DefaultOptions);
            return client.CreateResponse([new TextContent(json)], CellUsage);
        });
        return new ReviewModel(name, client);
    }

    [GeneratedRegex(@"^Lens: ([a-z][a-z0-9-]*)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LensLine();

    [GeneratedRegex(@"(password|passwd|pwd|secret|api_?key)\w*\s*[=:]\s*""[^""]+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Password();

    [GeneratedRegex(@"""[^""]*\b(select|insert|update|delete)\b[^""]*""\s*\+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConcatenatedSql();

    [GeneratedRegex(@"\bThread\.Sleep\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex ThreadSleep();

    [GeneratedRegex(@"\b(TODO|FIXME|HACK)\b", RegexOptions.CultureInvariant)]
    private static partial Regex TodoNote();

    [GeneratedRegex(@"catch\s*(\([^)]*\))?\s*\{\s*\}", RegexOptions.CultureInvariant)]
    private static partial Regex EmptyCatch();

    [GeneratedRegex(@"\.(Result\b|Wait\(\)|GetAwaiter\(\)\.GetResult\(\))", RegexOptions.CultureInvariant)]
    private static partial Regex SyncWait();

    private sealed record Rule(string Lens, Regex Pattern, Severity Severity, string Message, string Suggestion);
}
