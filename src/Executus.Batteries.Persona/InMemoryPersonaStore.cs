using System.Collections.Immutable;
using System.Globalization;

namespace Executus.Personas;

/// <summary>
/// The default <see cref="IPersonaStore"/>: personas held in memory. Versions are a per-name counter ("1", "2"…)
/// that keeps counting across deletes, so a version string never names two definitions.
/// </summary>
public sealed class InMemoryPersonaStore : IPersonaStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _revisions = new(StringComparer.OrdinalIgnoreCase);
    private ImmutableSortedDictionary<string, Persona> _byName = ImmutableSortedDictionary.Create<string, Persona>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes an empty store.</summary>
    public InMemoryPersonaStore()
    {
    }

    /// <summary>Initializes a store holding <paramref name="personas"/> (each put in order).</summary>
    /// <param name="personas">The personas.</param>
    public InMemoryPersonaStore(IEnumerable<Persona> personas)
    {
        ArgumentNullException.ThrowIfNull(personas);
        foreach (Persona persona in personas)
        {
            Put(persona);
        }
    }

    /// <inheritdoc />
    public ValueTask<Persona?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_byName.GetValueOrDefault(name));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Persona>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<Persona>>([.. _byName.Values]);
    }

    /// <inheritdoc />
    public ValueTask<Persona> PutAsync(Persona persona, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persona);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Put(persona));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ImmutableSortedDictionary<string, Persona> before = _byName;
            _byName = _byName.Remove(name);
            return ValueTask.FromResult(!ReferenceEquals(before, _byName));
        }
    }

    private Persona Put(Persona persona)
    {
        lock (_gate)
        {
            long revision = _revisions.GetValueOrDefault(persona.Name) + 1;
            _revisions[persona.Name] = revision;
            Persona stored = persona with { Version = revision.ToString(CultureInfo.InvariantCulture) };
            _byName = _byName.SetItem(persona.Name, stored);
            return stored;
        }
    }
}
