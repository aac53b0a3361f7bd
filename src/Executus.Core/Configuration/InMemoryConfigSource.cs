using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Executus.Configuration;

/// <summary>
/// A thread-safe, mutable in-memory <see cref="IConfigSource"/> with case-insensitive keys, for tests and for hosts
/// that set values at run time.
/// </summary>
public sealed class InMemoryConfigSource : IConfigSource
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a new empty instance.</summary>
    public InMemoryConfigSource()
    {
    }

    /// <summary>Initializes a new instance holding <paramref name="values"/>.</summary>
    /// <param name="values">Initial key/value pairs; a null value is skipped.</param>
    public InMemoryConfigSource(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (KeyValuePair<string, string?> pair in values)
        {
            Set(pair.Key, pair.Value);
        }
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, or removes it when the value is null.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or <see langword="null"/> to remove the key.</param>
    public void Set(string key, string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (value is null)
        {
            _values.TryRemove(key, out _);
        }
        else
        {
            _values[key] = value;
        }
    }

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return _values.TryGetValue(key, out value);
    }
}
