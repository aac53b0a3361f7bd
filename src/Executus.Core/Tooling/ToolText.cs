using System.Globalization;

namespace Executus.Tooling;

/// <summary>
/// Caps text that Executus copies from a call (a tool name, an argument value, a path, an exception message) into an
/// error the model reads: a 10 MB argument must not come back as 10 MB of context.
/// </summary>
internal static class ToolText
{
    /// <summary>The most characters of one echoed value (a name, a path, an enum value).</summary>
    public const int MaxEcho = 200;

    /// <summary>The most characters of a whole message built elsewhere (an exception's or an approver's text).</summary>
    public const int MaxMessage = 2000;

    /// <summary>Returns <paramref name="value"/>, or its first <paramref name="max"/> characters and <c>…(N chars)</c>.</summary>
    /// <param name="value">The text to echo.</param>
    /// <param name="max">The most characters kept.</param>
    /// <returns>The capped text.</returns>
    public static string Echo(string? value, int max = MaxEcho)
    {
        if (value is null || value.Length <= max)
        {
            return value ?? string.Empty;
        }

        // Why: never cut a surrogate pair in half (that would put a lone surrogate into the model's context).
        int keep = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return string.Create(CultureInfo.InvariantCulture, $"{value.AsSpan(0, keep)}…({value.Length} chars)");
    }
}
