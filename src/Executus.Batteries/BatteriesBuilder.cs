using Executus.Personas;
using Executus.Skills;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Batteries;

/// <summary>
/// Returned by <c>AddBatteries</c>: adds personas and skills to the default stores, and goes on as an
/// <see cref="IExecutusBuilder"/>.
/// </summary>
public sealed class BatteriesBuilder : IExecutusBuilder
{
    internal BatteriesBuilder(IServiceCollection services, PersonasBuilder personas, SkillsBuilder skills)
    {
        Services = services;
        Personas = personas;
        Skills = skills;
    }

    /// <inheritdoc />
    public IServiceCollection Services { get; }

    /// <summary>Gets the Persona battery's builder.</summary>
    public PersonasBuilder Personas { get; }

    /// <summary>Gets the Skill battery's builder.</summary>
    public SkillsBuilder Skills { get; }

    /// <summary>Loads every persona file in <paramref name="path"/> now (see <see cref="PersonasBuilder.FromDirectory"/>).</summary>
    /// <param name="path">The folder.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="PersonaLoadException">A file is malformed, or a name is already defined.</exception>
    public BatteriesBuilder AddPersonasFrom(string path)
    {
        Personas.FromDirectory(path);
        return this;
    }

    /// <summary>Loads every skill folder under <paramref name="path"/> now (see <see cref="SkillsBuilder.FromDirectory"/>).</summary>
    /// <param name="path">The folder holding skill folders.</param>
    /// <param name="tenant">The tenant scope the skills belong to; null for the shared scope.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="SkillValidationException">A skill breaks a rule, or a name is already added to the scope.</exception>
    public BatteriesBuilder AddSkillsFrom(string path, string? tenant = null)
    {
        Skills.FromDirectory(path, tenant);
        return this;
    }
}
