namespace Gadfly;

/// <summary>Reads and names <see cref="Severity"/> values as the lower-case words findings carry.</summary>
public static class Severities
{
    /// <summary>The accepted words, lowest first.</summary>
    public static readonly IReadOnlyList<string> Names = ["info", "low", "medium", "high", "critical"];

    /// <summary>Parses a severity word (case-insensitive); numbers are rejected.</summary>
    /// <param name="text">The word.</param>
    /// <param name="severity">The severity.</param>
    /// <returns><see langword="true"/> when the word is a severity.</returns>
    public static bool TryParse(string? text, out Severity severity)
    {
        int index = Names.ToList().FindIndex(n => string.Equals(n, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        severity = index < 0 ? Severity.Info : (Severity)index;
        return index >= 0;
    }

    /// <summary>Returns the lower-case word of <paramref name="severity"/>.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The word.</returns>
    public static string Name(this Severity severity) => Names[(int)severity];

    /// <summary>Maps a severity to a SARIF result level: critical/high → error, medium → warning, low/info → note.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The SARIF level.</returns>
    public static string SarifLevel(this Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };
}
