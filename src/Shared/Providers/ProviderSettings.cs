using Executus.Configuration;
using Executus.Models;

namespace Executus.Providers;

// Why: compiled into each provider package (linked source, the dotnet/extensions src/Shared pattern) so the four
// factories read the settings they share one way, without a public helper type in Core's API.

/// <summary>Reads the <c>Executus:Providers:{name}:*</c> settings every provider package shares.</summary>
internal static class ProviderSettings
{
    /// <summary>Returns the configuration prefix of a provider, <c>Executus:Providers:{name}:</c>.</summary>
    public static string Prefix(string providerName) => ModelProviderRegistry.ProvidersPrefix + providerName + ":";

    /// <summary>Reads an absolute http or https URL, or null when the key is not set.</summary>
    /// <exception cref="ConfigException">The value is not an absolute http or https URL.</exception>
    public static Uri? ReadUrl(IConfigSource config, string key, string expected)
    {
        if (config.GetString(key) is not { } url)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ConfigException(key, url, expected);
        }

        return uri;
    }

    /// <summary>Reads <c>MaxRetries</c> (0–10).</summary>
    /// <exception cref="ConfigException">The value is not an integer from 0 to 10.</exception>
    public static int ReadMaxRetries(IConfigSource config, string prefix, int defaultValue) =>
        config.GetInt(prefix + "MaxRetries", defaultValue, min: 0, max: 10);

    /// <summary>
    /// Reads <c>NetworkTimeout</c>: a positive duration no longer than <see cref="int.MaxValue"/> milliseconds, the most
    /// an <see cref="HttpClient"/> timeout takes (about 24.8 days).
    /// </summary>
    /// <exception cref="ConfigException">The value is not such a duration.</exception>
    public static TimeSpan ReadNetworkTimeout(IConfigSource config, string prefix, TimeSpan defaultValue) =>
        config.GetDuration(prefix + "NetworkTimeout", defaultValue, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(int.MaxValue));
}
