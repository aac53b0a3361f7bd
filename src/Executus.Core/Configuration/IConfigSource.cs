using System.Diagnostics.CodeAnalysis;

namespace Executus.Configuration;

/// <summary>
/// A source of configuration values (tunables, model tiers, limits) keyed by colon-separated names such as
/// <c>Executus:Lanes:interactive:MaxConcurrency</c>.
/// </summary>
/// <remarks>
/// Values may change while the process runs: callers read at use and do not cache. Typed reads with clear errors
/// are provided by <see cref="ConfigSourceExtensions"/>.
/// </remarks>
public interface IConfigSource
{
    /// <summary>Looks up the raw value for <paramref name="key"/>.</summary>
    /// <param name="key">The colon-separated key, compared case-insensitively.</param>
    /// <param name="value">The value when found.</param>
    /// <returns><see langword="true"/> when the source has a value for the key.</returns>
    bool TryGet(string key, [NotNullWhen(true)] out string? value);
}
