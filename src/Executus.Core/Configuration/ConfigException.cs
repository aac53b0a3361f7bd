namespace Executus.Configuration;

/// <summary>
/// Thrown when a configuration value is missing or cannot be read as the expected type. The message names the key,
/// the offending value (redacted for keys that look secret) and what was expected.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConfigException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a bad value.</summary>
    /// <param name="key">The configuration key.</param>
    /// <param name="value">The raw value that was read, or <see langword="null"/> when it was missing.</param>
    /// <param name="expected">What was expected, e.g. "an integer between 1 and 64".</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConfigException(string key, string? value, string expected, Exception? innerException = null)
        : base(FormatMessage(key, value, expected), innerException)
    {
        Key = key;
        Value = IsSecretKey(key) ? Redacted : value;
        Expected = expected;
    }

    /// <summary>Gets the configuration key that was read.</summary>
    public string? Key { get; }

    /// <summary>Gets the offending value (or a redaction marker for secret-looking keys); null when missing.</summary>
    public string? Value { get; }

    /// <summary>Gets a description of what was expected.</summary>
    public string? Expected { get; }

    private const string Redacted = "<redacted>";

    private static string FormatMessage(string key, string? value, string expected)
    {
        if (value is null)
        {
            return $"Configuration key '{key}' is missing; expected {expected}.";
        }

        string shown = IsSecretKey(key) ? Redacted : $"'{value}'";
        return $"Configuration key '{key}' has the value {shown}, which is not {expected}.";
    }

    // Why: config errors end up in logs; never print API keys or passwords there.
    private static bool IsSecretKey(string key) =>
        key.Contains("key", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("password", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("token", StringComparison.OrdinalIgnoreCase);
}
