namespace Executus.Personas;

/// <summary>
/// The persona store seam: where personas live. The default, <see cref="InMemoryPersonaStore"/>, is filled from
/// files (<c>AddPersonas().FromDirectory(path)</c>) or by <see cref="PutAsync"/>; a host may back it with a database.
/// </summary>
/// <remarks>
/// Names are compared case-insensitively. Every put gives the persona a new <see cref="Persona.Version"/>; a store
/// keeps only the latest definition of a name. Implementations are thread-safe.
/// </remarks>
public interface IPersonaStore
{
    /// <summary>Gets the persona named <paramref name="name"/>.</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The persona, or <see langword="null"/> when there is none.</returns>
    ValueTask<Persona?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists every persona, ordered by name (ordinal, case-insensitive).</summary>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The personas.</returns>
    ValueTask<IReadOnlyList<Persona>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a persona, giving it a new version.</summary>
    /// <param name="persona">The persona (its <see cref="Persona.Version"/> is ignored).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The stored persona, carrying its new version.</returns>
    ValueTask<Persona> PutAsync(Persona persona, CancellationToken cancellationToken = default);

    /// <summary>Deletes the persona named <paramref name="name"/>.</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when a persona was deleted.</returns>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
