using Executus.Identity;

namespace Executus.Personas;

/// <summary>
/// What a host remembers per caller per persona (a preferred language, a nickname…): short key/value notes injected
/// into the persona's instructions when a run starts. The default is <see cref="InMemoryPersonalizationStore"/>.
/// </summary>
/// <remarks>
/// Entries are keyed by the caller's tenant and id and the persona's name (case-insensitive). The anonymous caller has
/// no personalization: reads return nothing and writes are refused.
/// </remarks>
public interface IPersonalizationStore
{
    /// <summary>Gets what is remembered about <paramref name="caller"/> for <paramref name="personaName"/>.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="personaName">The persona's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The entries, ordered by key (ordinal); empty when nothing is remembered.</returns>
    ValueTask<IReadOnlyDictionary<string, string>> GetAsync(CallerIdentity caller, string personaName, CancellationToken cancellationToken = default);

    /// <summary>Remembers <paramref name="value"/> under <paramref name="key"/>, replacing an earlier value.</summary>
    /// <param name="caller">The caller (not anonymous).</param>
    /// <param name="personaName">The persona's name.</param>
    /// <param name="key">The key (e.g. <c>language</c>).</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="ArgumentException">The caller is anonymous, or the key or value is blank.</exception>
    ValueTask SetAsync(CallerIdentity caller, string personaName, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Forgets the entry under <paramref name="key"/>.</summary>
    /// <param name="caller">The caller.</param>
    /// <param name="personaName">The persona's name.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when an entry was removed.</returns>
    ValueTask<bool> RemoveAsync(CallerIdentity caller, string personaName, string key, CancellationToken cancellationToken = default);
}
