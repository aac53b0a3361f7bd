using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace Executus.Configuration;

/// <summary>
/// Bridges <see cref="IConfiguration"/> (appsettings.json, environment, command line, user secrets…) into
/// <see cref="IConfigSource"/>. Reads go to the live configuration, so reloads are seen.
/// </summary>
public sealed class ConfigurationConfigSource : IConfigSource
{
    private readonly IConfiguration _configuration;

    /// <summary>Initializes a new instance over <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The configuration to read.</param>
    public ConfigurationConfigSource(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
    }

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        value = _configuration[key];
        if (value is not null)
        {
            return true;
        }

        // Why: an array in JSON configuration (Tiers:smart: ["a", "b"]) has no value of its own, only children;
        // expose it as the comma-separated list that GetList reads.
        IConfigurationSection section = _configuration.GetSection(key);
        string[] items = [.. section.GetChildren().Where(c => c.Value is not null).Select(c => c.Value!)];
        if (items.Length > 0 && section.GetChildren().All(c => int.TryParse(c.Key, out _)))
        {
            value = string.Join(",", items);
            return true;
        }

        return false;
    }
}
