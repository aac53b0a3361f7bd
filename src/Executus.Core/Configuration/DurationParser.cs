using System.Globalization;

namespace Executus.Configuration;

/// <summary>
/// Parses durations written either as a <see cref="TimeSpan"/> (<c>00:00:30</c>, <c>1.02:00:00</c>) or with unit
/// suffixes (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, and combinations such as <c>1h30m</c>).
/// Negative durations are rejected.
/// </summary>
internal static class DurationParser
{
    /// <summary>Tries to parse <paramref name="text"/> as a non-negative duration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The parsed duration.</param>
    /// <returns><see langword="true"/> when the text is a valid duration.</returns>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.Contains(':'))
        {
            return TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        long totalTicks = 0;
        bool any = false;
        while (!s.IsEmpty)
        {
            int digits = 0;
            while (digits < s.Length && (char.IsAsciiDigit(s[digits]) || s[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 ||
                !double.TryParse(s[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                return false;
            }

            s = s[digits..];
            int unitLength = 0;
            while (unitLength < s.Length && char.IsAsciiLetter(s[unitLength]))
            {
                unitLength++;
            }

            long ticksPerUnit = UnitTicks(s[..unitLength]);
            if (ticksPerUnit == 0)
            {
                return false;
            }

            double ticks = amount * ticksPerUnit;
            if (ticks > TimeSpan.MaxValue.Ticks - totalTicks)
            {
                return false;
            }

            totalTicks += (long)ticks;
            s = s[unitLength..];
            any = true;
        }

        duration = TimeSpan.FromTicks(totalTicks);
        return any;
    }

    private static long UnitTicks(ReadOnlySpan<char> unit) => unit switch
    {
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        "d" => TimeSpan.TicksPerDay,
        _ => 0,
    };
}
