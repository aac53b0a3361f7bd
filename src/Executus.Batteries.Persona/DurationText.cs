using System.Globalization;

namespace Executus.Personas;

/// <summary>Parses durations written as <c>90s</c>, <c>2m</c>, <c>1h30m</c>, <c>500ms</c> or <c>hh:mm:ss</c>.</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out duration);
        }

        int i = 0;
        bool any = false;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
            {
                return false;
            }

            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
            {
                i++;
            }

            TimeSpan part;
            switch (text.AsSpan(unitStart, i - unitStart))
            {
                case "ms": part = TimeSpan.FromMilliseconds(amount); break;
                case "s": part = TimeSpan.FromSeconds(amount); break;
                case "m": part = TimeSpan.FromMinutes(amount); break;
                case "h": part = TimeSpan.FromHours(amount); break;
                case "d": part = TimeSpan.FromDays(amount); break;
                default: return false;
            }

            duration += part;
            any = true;
        }

        return any;
    }
}
