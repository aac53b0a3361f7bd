using System.Collections.Concurrent;
using System.Collections.Immutable;
using Executus.Identity;

namespace Executus.Personas;

/// <summary>The default <see cref="IPersonalizationStore"/>: entries held in memory.</summary>
public sealed class InMemoryPersonalizationStore : IPersonalizationStore
{
    private static readonly ImmutableSortedDictionary<string, string> s_empty = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Caller, string Persona), ImmutableSortedDictionary<string, string>> _entries = new();

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, string>> GetAsync(CallerIdentity caller, string personaName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyDictionary<string, string> entries = caller.IsAnonymous ? s_empty : _entries.GetValueOrDefault(Key(caller, personaName), s_empty);
        return ValueTask.FromResult(entries);
    }

    /// <inheritdoc />
    public ValueTask SetAsync(CallerIdentity caller, string personaName, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentException.ThrowIfNullOrWhiteSpace(personaName);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        cancellationToken.ThrowIfCancellationRequested();
        if (caller.IsAnonymous)
        {
            throw new ArgumentException("The anonymous caller has no personalization: it would be shared by everyone.", nameof(caller));
        }

        _entries.AddOrUpdate(Key(caller, personaName), (_, e) => e.Add(key, value), (_, existing, e) => existing.SetItem(key, value), s_empty);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(CallerIdentity caller, string personaName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        (string, string, string) slot = Key(caller, personaName);
        while (_entries.TryGetValue(slot, out ImmutableSortedDictionary<string, string>? existing))
        {
            if (!existing.ContainsKey(key))
            {
                return ValueTask.FromResult(false);
            }

            if (_entries.TryUpdate(slot, existing.Remove(key), existing))
            {
                return ValueTask.FromResult(true);
            }
        }

        return ValueTask.FromResult(false);
    }

    private static (string, string, string) Key(CallerIdentity caller, string personaName) =>
        (caller.TenantKey ?? string.Empty, caller.Id, personaName.ToUpperInvariant());
}
