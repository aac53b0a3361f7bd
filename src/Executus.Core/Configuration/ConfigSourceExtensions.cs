using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Executus.Configuration;

/// <summary>
/// Typed reads over <see cref="IConfigSource"/>. A missing key yields the supplied default; a present but malformed
/// value throws <see cref="ConfigException"/> naming the key and the value, never a silent fallback.
/// </summary>
public static class ConfigSourceExtensions
{
    /// <summary>Reads a string, or <paramref name="defaultValue"/> when the key is missing or blank.</summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <returns>The trimmed value or the default.</returns>
    [return: NotNullIfNotNull(nameof(defaultValue))]
    public static string? GetString(this IConfigSource source, string key, string? defaultValue = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return TryRead(source, key, out string? raw) ? raw : defaultValue;
    }

    /// <summary>Reads a string that must be present.</summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <returns>The trimmed value.</returns>
    /// <exception cref="ConfigException">The key is missing or blank.</exception>
    public static string GetRequiredString(this IConfigSource source, string key)
    {
        ArgumentNullException.ThrowIfNull(source);
        return TryRead(source, key, out string? raw) ? raw : throw new ConfigException(key, null, "a non-empty value");
    }

    /// <summary>Reads a 32-bit integer, optionally bounded.</summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not an integer or is out of range.</exception>
    public static int GetInt(this IConfigSource source, string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new ConfigException(key, raw, DescribeRange("an integer", min, max, int.MinValue, int.MaxValue));
        }

        return value;
    }

    /// <summary>Reads a 64-bit integer, optionally bounded.</summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not an integer or is out of range.</exception>
    public static long GetLong(this IConfigSource source, string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new ConfigException(key, raw, DescribeRange("an integer", min, max, long.MinValue, long.MaxValue));
        }

        return value;
    }

    /// <summary>Reads a finite floating-point number (invariant culture), optionally bounded.</summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not a finite number or is out of range.</exception>
    public static double GetDouble(this IConfigSource source, string key, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ||
            !double.IsFinite(value) || value < min || value > max)
        {
            throw new ConfigException(key, raw, DescribeRange("a finite number", min, max, double.MinValue, double.MaxValue));
        }

        return value;
    }

    /// <summary>
    /// Reads a boolean: <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, <c>yes</c>/<c>no</c>, <c>on</c>/<c>off</c>
    /// (case-insensitive).
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not a recognised boolean.</exception>
    public static bool GetBool(this IConfigSource source, string key, bool defaultValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        return raw.ToUpperInvariant() switch
        {
            "TRUE" or "1" or "YES" or "ON" => true,
            "FALSE" or "0" or "NO" or "OFF" => false,
            _ => throw new ConfigException(key, raw, "a boolean (true/false, 1/0, yes/no, on/off)"),
        };
    }

    /// <summary>
    /// Reads a non-negative duration written as <c>00:00:30</c> or <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>250ms</c>,
    /// <c>1d</c>, <c>1h30m</c>.
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not a valid non-negative duration.</exception>
    public static TimeSpan GetDuration(this IConfigSource source, string key, TimeSpan defaultValue)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        return DurationParser.TryParse(raw, out TimeSpan value)
            ? value
            : throw new ConfigException(key, raw, "a non-negative duration such as '00:00:30', '30s', '5m', '2h' or '1h30m'");
    }

    /// <summary>
    /// Reads a comma-separated list; items are trimmed and empty items dropped. A missing key yields
    /// <paramref name="defaultValue"/> (or an empty list).
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <returns>The items.</returns>
    public static IReadOnlyList<string> GetList(this IConfigSource source, string key, IReadOnlyList<string>? defaultValue = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue ?? [];
        }

        return raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Reads a duration that must lie within [<paramref name="min"/>, <paramref name="max"/>]. The error names the
    /// value as configured (<c>0ms</c>), not its normalised form.
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing (not range-checked).</param>
    /// <param name="min">The smallest accepted duration; <c>TimeSpan.FromTicks(1)</c> for "positive".</param>
    /// <param name="max">The largest accepted duration.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not a duration or is out of range.</exception>
    public static TimeSpan GetDuration(this IConfigSource source, string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        return DurationParser.TryParse(raw, out TimeSpan value) && value >= min && value <= max
            ? value
            : throw new ConfigException(key, raw, DescribeDurationRange(min, max));
    }

    /// <summary>
    /// Reads an enum value by name (case-insensitive). A plain enum takes exactly one defined name; a
    /// <see cref="FlagsAttribute"/> enum takes one or more defined names separated by commas. Numbers are rejected.
    /// </summary>
    /// <typeparam name="TEnum">The enum type.</typeparam>
    /// <param name="source">The source.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The value used when the key is missing.</param>
    /// <returns>The value or the default.</returns>
    /// <exception cref="ConfigException">The value is not one of the enum's names.</exception>
    public static TEnum GetEnum<TEnum>(this IConfigSource source, string key, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!TryRead(source, key, out string? raw))
        {
            return defaultValue;
        }

        string[] names = Enum.GetNames<TEnum>();
        bool flags = typeof(TEnum).IsDefined(typeof(FlagsAttribute), inherit: false);

        // Why: Enum.TryParse also takes "1", "+1" and "A,B" (OR-ed), so "Drain,CancelQueued" would silently mean a third
        // value; only whole defined names are accepted, combined only for [Flags] enums.
        string[] parts = flags ? raw.Split(',', StringSplitOptions.TrimEntries) : [raw];
        var canonical = new string[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            canonical[i] = Array.Find(names, n => n.Equals(parts[i], StringComparison.OrdinalIgnoreCase))!;
            if (canonical[i] is null)
            {
                string expected = flags
                    ? $"one or more of {string.Join(", ", names)} (separated by commas)"
                    : $"exactly one of {string.Join(", ", names)}";
                throw new ConfigException(key, raw, expected);
            }
        }

        return Enum.Parse<TEnum>(string.Join(", ", canonical));
    }

    private static string DescribeDurationRange(TimeSpan min, TimeSpan max)
    {
        string low = min == TimeSpan.Zero ? "a non-negative duration" : min.Ticks == 1 ? "a positive duration" : $"a duration of at least {min:c}";
        return max == TimeSpan.MaxValue ? low : $"{low} of at most {max:c}";
    }

    private static bool TryRead(IConfigSource source, string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (source.TryGet(key, out string? raw) && !string.IsNullOrWhiteSpace(raw))
        {
            value = raw.Trim();
            return true;
        }

        value = null;
        return false;
    }

    private static string DescribeRange<T>(string kind, T min, T max, T absoluteMin, T absoluteMax)
        where T : IComparable<T>
    {
        bool hasMin = min.CompareTo(absoluteMin) != 0;
        bool hasMax = max.CompareTo(absoluteMax) != 0;
        return (hasMin, hasMax) switch
        {
            (true, true) => FormattableString.Invariant($"{kind} between {min} and {max}"),
            (true, false) => FormattableString.Invariant($"{kind} of at least {min}"),
            (false, true) => FormattableString.Invariant($"{kind} of at most {max}"),
            _ => kind,
        };
    }
}
