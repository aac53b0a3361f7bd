using Microsoft.Extensions.DependencyInjection;

namespace Executus.Personas;

/// <summary>
/// Returned by <c>AddPersonas</c>: adds personas from folders or code to the default store, and goes on as an
/// <see cref="IExecutusBuilder"/>.
/// </summary>
/// <remarks>
/// Files are read when <see cref="FromDirectory"/> is called, so a malformed file fails the host's start-up with a
/// <see cref="PersonaLoadException"/>. The personas seed the default <see cref="InMemoryPersonaStore"/>; a host that
/// registers its own <see cref="IPersonaStore"/> puts them itself (<see cref="PersonaFileLoader"/>).
/// </remarks>
public sealed class PersonasBuilder : IExecutusBuilder
{
    private readonly PersonaSeeds _seeds;

    internal PersonasBuilder(IServiceCollection services, PersonaSeeds seeds)
    {
        Services = services;
        _seeds = seeds;
    }

    /// <inheritdoc />
    public IServiceCollection Services { get; }

    /// <summary>Loads every persona file in <paramref name="path"/> (see <see cref="PersonaFileLoader.LoadDirectory"/>).</summary>
    /// <param name="path">The folder.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="PersonaLoadException">A file is malformed, or a name is already defined.</exception>
    public PersonasBuilder FromDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        foreach (Persona persona in PersonaFileLoader.LoadDirectory(path))
        {
            _seeds.Add(persona);
        }

        return this;
    }

    /// <summary>Adds <paramref name="persona"/>.</summary>
    /// <param name="persona">The persona.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="PersonaLoadException">A persona with the same name was already added.</exception>
    public PersonasBuilder Add(Persona persona)
    {
        ArgumentNullException.ThrowIfNull(persona);
        _seeds.Add(persona);
        return this;
    }
}
