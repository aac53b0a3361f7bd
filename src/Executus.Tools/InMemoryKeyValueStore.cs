using System.Collections.Concurrent;

namespace Executus.Tools;

/// <summary>The default <see cref="IKeyValueStore"/>: thread-safe, in process memory, lost on restart.</summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _scopes = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_scopes.TryGetValue(scope, out var entries) && entries.TryGetValue(key, out string? value) ? value : null);
    }

    /// <inheritdoc />
    public ValueTask SetAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        _scopes.GetOrAdd(scope, static _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal))[key] = value;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_scopes.TryGetValue(scope, out var entries) && entries.TryRemove(key, out _));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListAsync(string scope, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_scopes.TryGetValue(scope, out var entries))
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([]);
        }

        List<string> keys = [.. entries.Keys.Where(k => prefix is null || k.StartsWith(prefix, StringComparison.Ordinal))];
        keys.Sort(StringComparer.Ordinal);
        return ValueTask.FromResult<IReadOnlyList<string>>(keys);
    }
}
