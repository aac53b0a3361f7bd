using System.Diagnostics.CodeAnalysis;

namespace Executus.Configuration;

/// <summary>
/// Composes several sources: the first source that has a value for a key wins.
/// </summary>
/// <example>
/// Runtime settings kept in a database over the environment:
/// <code>new CompositeConfigSource(sqliteSettings, EnvironmentConfigSource.Instance)</code>
/// </example>
public sealed class CompositeConfigSource : IConfigSource
{
    private readonly IConfigSource[] _sources;

    /// <summary>Initializes a new instance that consults <paramref name="sources"/> in order.</summary>
    /// <param name="sources">The sources, highest priority first.</param>
    public CompositeConfigSource(params IEnumerable<IConfigSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = [.. sources];
        for (int i = 0; i < _sources.Length; i++)
        {
            if (_sources[i] is null)
            {
                throw new ArgumentException($"Source at index {i} is null.", nameof(sources));
            }
        }
    }

    /// <summary>Gets the composed sources, highest priority first.</summary>
    public IReadOnlyList<IConfigSource> Sources => _sources;

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        foreach (IConfigSource source in _sources)
        {
            if (source.TryGet(key, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }
}
