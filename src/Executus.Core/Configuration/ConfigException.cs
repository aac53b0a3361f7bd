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

    private static readonly string[] SecretWords =
    [
        "key", "pwd", "token", "sas", "sig", "auth", "pat", "cert", "pem", "pfx", "pin", "otp", "jwt", "hmac",
    ];

    private static readonly string[] SecretFragments =
    [
        "secret", "password", "passwd", "passphrase", "credential", "connectionstring", "connstr", "authorization",
        "bearer", "cookie", "signature", "privatekey", "certificate", "apikey", "accesskey", "accesstoken",
        "refreshtoken", "idtoken", "authtoken", "sastoken", "sessionkey", "signingkey", "encryptionkey", "clientsecret",
    ];

    /// <summary>
    /// Tells whether the value of <paramref name="key"/> must never be printed (config errors end up in logs). Only the
    /// last segment of the key counts (after the last <c>:</c> or <c>__</c>), case-insensitively: it is secret when it
    /// contains one of secret, password, passwd, passphrase, credential, connectionstring, authorization, bearer,
    /// cookie, signature, privatekey, certificate, apikey, accesskey, clientsecret and similar compounds, or when one of
    /// its words (split at case changes, <c>_</c>, <c>-</c> and <c>.</c>) is key, pwd, token, sas, sig, auth, pat, cert,
    /// pem, pfx, pin, otp, jwt or hmac. Every key under the .NET <c>ConnectionStrings</c> section is secret too. So <c>…:ApiKey</c>, <c>…:SasToken</c> and <c>…:Pwd</c> are secret, while
    /// <c>…:MaxTokens</c> and <c>…:Timeout</c> are not.
    /// </summary>
    /// <param name="key">The configuration key.</param>
    /// <returns><see langword="true"/> when the key's value should be redacted.</returns>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // Why: .NET's own convention keeps connection strings under a "ConnectionStrings" section, one key per name.
        if (key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string segment = LastSegment(key);
        string compact = string.Concat(segment.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();
        foreach (string fragment in SecretFragments)
        {
            if (compact.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (string word in Words(segment))
        {
            if (SecretWords.Contains(word, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string LastSegment(string key)
    {
        string trimmed = key.TrimEnd(':', '_');
        int colon = trimmed.LastIndexOf(':');
        int underscores = trimmed.LastIndexOf("__", StringComparison.Ordinal);
        int cut = Math.Max(colon + 1, underscores < 0 ? 0 : underscores + 2);
        return trimmed[cut..];
    }

    // Why: "SASToken" → sas, token; "x-api-key" → x, api, key; "MaxTokens" → max, tokens (not secret).
    private static List<string> Words(string segment)
    {
        var words = new List<string>();
        int start = 0;
        for (int i = 0; i <= segment.Length; i++)
        {
            bool end = i == segment.Length;
            bool separator = !end && !char.IsAsciiLetterOrDigit(segment[i]);
            bool boundary = !end && !separator && i > start && char.IsAsciiLetterUpper(segment[i])
                && (char.IsAsciiLetterLower(segment[i - 1]) || (i + 1 < segment.Length && char.IsAsciiLetterLower(segment[i + 1]) && char.IsAsciiLetterUpper(segment[i - 1])));
            if (end || separator || boundary)
            {
                if (i > start)
                {
                    words.Add(segment[start..i]);
                }

                start = separator ? i + 1 : i;
            }
        }

        return words;
    }
}
