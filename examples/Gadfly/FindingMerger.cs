using System.Text.RegularExpressions;

namespace Gadfly;

/// <summary>
/// Merges the findings of several models: reports on the same file, line and lens whose messages are similar (word
/// overlap at or above <see cref="SimilarityThreshold"/>) become one finding with the highest severity and the list of
/// models that agreed. Different problems on the same line stay apart.
/// </summary>
public static partial class FindingMerger
{
    /// <summary>The Jaccard similarity of two messages' significant words from which they count as the same finding.</summary>
    public const double SimilarityThreshold = 0.5;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "this", "that", "are", "not", "from", "into", "was", "use", "can", "its", "has", "have", "here", "should",
    };

    /// <summary>Merges <paramref name="findings"/>; the result is ordered by severity (highest first), file, line and lens.</summary>
    /// <param name="findings">Every model's findings.</param>
    /// <returns>The merged findings.</returns>
    public static IReadOnlyList<MergedFinding> Merge(IEnumerable<ModelFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var clusters = new List<Cluster>();
        foreach (ModelFinding item in findings)
        {
            Finding f = item.Finding;
            Severity severity = Severities.TryParse(f.Severity, out Severity parsed) ? parsed : Severity.Info;
            string lens = (f.Lens ?? string.Empty).Trim().ToLowerInvariant();
            HashSet<string> words = Words(f.Message ?? string.Empty);
            Cluster? match = clusters.FirstOrDefault(c =>
                c.File == f.File && c.Line == f.Line && c.Lens == lens && c.Messages.Any(m => Similar(m, words)));
            if (match is null)
            {
                match = new Cluster(f.File, f.Line, lens);
                clusters.Add(match);
            }

            match.Add(item.Model, severity, f, words);
        }

        return [.. clusters
            .Select(c => c.Build())
            .OrderByDescending(m => m.Severity)
            .ThenBy(m => m.File, StringComparer.Ordinal)
            .ThenBy(m => m.Line)
            .ThenBy(m => m.Lens, StringComparer.Ordinal)];
    }

    /// <summary>The Jaccard similarity of the significant words of two messages (1 for two messages without such words that are equal).</summary>
    /// <param name="a">A message.</param>
    /// <param name="b">Another message.</param>
    /// <returns>A value between 0 and 1.</returns>
    public static double Similarity(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Jaccard(Words(a), Words(b), a, b);
    }

    private static bool Similar(HashSet<string> a, HashSet<string> b) => Jaccard(a, b, null, null) >= SimilarityThreshold;

    private static double Jaccard(HashSet<string> a, HashSet<string> b, string? rawA, string? rawB)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return rawA is null || string.Equals(rawA.Trim(), rawB?.Trim(), StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        int common = a.Count(b.Contains);
        return (double)common / (a.Count + b.Count - common);
    }

    private static HashSet<string> Words(string text) =>
        [.. NonWord().Split(text.ToLowerInvariant()).Where(w => w.Length >= 3 && !StopWords.Contains(w))];

    [GeneratedRegex(@"[^\p{L}\p{Nd}]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonWord();

    private sealed class Cluster(string file, int line, string lens)
    {
        private readonly List<string> _models = [];
        private Severity _severity;
        private Finding? _lead;

        public string File { get; } = file;

        public int Line { get; } = line;

        public string Lens { get; } = lens;

        public List<HashSet<string>> Messages { get; } = [];

        public void Add(string model, Severity severity, Finding finding, HashSet<string> words)
        {
            if (_lead is null || severity > _severity)
            {
                _lead = finding;
                _severity = severity;
            }

            if (!_models.Contains(model, StringComparer.Ordinal))
            {
                _models.Add(model);
            }

            Messages.Add(words);
        }

        public MergedFinding Build() => new(File, Line, Lens, _severity, (_lead!.Message ?? string.Empty).Trim(), _lead.Suggestion?.Trim() ?? string.Empty, _models.ToArray());
    }
}
