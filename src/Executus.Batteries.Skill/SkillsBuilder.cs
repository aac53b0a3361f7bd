using Microsoft.Extensions.DependencyInjection;

namespace Executus.Skills;

/// <summary>
/// Returned by <c>AddSkills</c>: adds skills from Agent Skills folders or code to the default store, and goes on as an
/// <see cref="IExecutusBuilder"/>.
/// </summary>
/// <remarks>
/// Folders are read when <see cref="FromDirectory"/> is called, so a broken skill fails the host's start-up with a
/// <see cref="SkillValidationException"/>. The skills seed the default <see cref="InMemorySkillStore"/> as active; a
/// host that registers its own <see cref="ISkillStore"/> saves them itself (<see cref="SkillFolderLoader"/>,
/// <see cref="SkillLibrary"/>).
/// </remarks>
public sealed class SkillsBuilder : IExecutusBuilder
{
    private readonly SkillSeeds _seeds;

    internal SkillsBuilder(IServiceCollection services, SkillSeeds seeds)
    {
        Services = services;
        _seeds = seeds;
    }

    /// <inheritdoc />
    public IServiceCollection Services { get; }

    /// <summary>Loads every skill folder under <paramref name="path"/> (see <see cref="SkillFolderLoader.LoadDirectory"/>).</summary>
    /// <param name="path">The folder holding skill folders.</param>
    /// <param name="tenant">The tenant scope the skills belong to; null for the shared scope.</param>
    /// <param name="maxResourceBytes">The largest resource file accepted.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="SkillValidationException">A skill breaks a rule, or a name is already added to the scope.</exception>
    public SkillsBuilder FromDirectory(string path, string? tenant = null, long maxResourceBytes = SkillFolderLoader.DefaultMaxResourceBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        foreach (Skill skill in SkillFolderLoader.LoadDirectory(path, maxResourceBytes))
        {
            _seeds.Add(tenant, skill, Path.Combine(Path.GetFullPath(path), skill.Name, SkillFolderLoader.SkillFileName));
        }

        return this;
    }

    /// <summary>Adds <paramref name="skill"/> as an active skill.</summary>
    /// <param name="skill">The skill.</param>
    /// <param name="tenant">The tenant scope; null for the shared scope.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="SkillValidationException">A skill of that name is already added to the scope.</exception>
    public SkillsBuilder Add(Skill skill, string? tenant = null)
    {
        ArgumentNullException.ThrowIfNull(skill);
        _seeds.Add(tenant, skill, "(added in code)");
        return this;
    }
}
