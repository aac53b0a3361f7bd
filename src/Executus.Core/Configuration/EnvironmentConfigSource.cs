using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Executus.Configuration;

/// <summary>
/// Reads configuration from environment variables, the default <see cref="IConfigSource"/>.
/// </summary>
/// <remarks>
/// The key <c>Executus:Models:Tiers:smart</c> is looked up as <c>Executus__Models__Tiers__smart</c> (the .NET
/// configuration convention), matched case-insensitively, so <c>EXECUTUS__MODELS__TIERS__SMART</c> works too.
/// Variables are read at every call, so changes made while the process runs are seen.
/// </remarks>
public sealed class EnvironmentConfigSource : IConfigSource
{
    /// <summary>Gets a shared instance.</summary>
    public static EnvironmentConfigSource Instance { get; } = new();

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);

        string name = key.Replace(":", "__", StringComparison.Ordinal);
        value = Environment.GetEnvironmentVariable(name);
        if (value is not null)
        {
            return true;
        }

        // Why: environment variable names are case-sensitive on Linux, configuration keys are not.
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string candidate && string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
            {
                value = entry.Value as string;
                return value is not null;
            }
        }

        return false;
    }
}
