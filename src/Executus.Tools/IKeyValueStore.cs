namespace Executus.Tools;

/// <summary>
/// The storage seam of the <c>memory_*</c> tools: string values by scope and key. The default is
/// <see cref="InMemoryKeyValueStore"/>; a durable store (e.g. SQLite) implements the same seam.
/// </summary>
/// <remarks>
/// A scope is an opaque string the tools build from the caller and the agent; implementations must keep scopes
/// strictly apart and compare scopes and keys ordinally. Implementations must be thread-safe.
/// </remarks>
public interface IKeyValueStore
{
    /// <summary>Reads a value.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The value, or <see langword="null"/> when the key is not set.</returns>
    ValueTask<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default);

    /// <summary>Sets a value, replacing any previous one.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    ValueTask SetAsync(string scope, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Deletes a value.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when the key was set and is now deleted.</returns>
    ValueTask<bool> DeleteAsync(string scope, string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the keys of a scope, sorted ordinally.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="prefix">Only keys starting with this (ordinal); <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The keys.</returns>
    ValueTask<IReadOnlyList<string>> ListAsync(string scope, string? prefix = null, CancellationToken cancellationToken = default);
}
