using System.Globalization;
using Executus.Runs;

namespace Executus.Skills;

/// <summary>One immutable, saved version of a skill.</summary>
/// <param name="Tenant">The tenant scope it belongs to (null: shared).</param>
/// <param name="Version">The version number: 1 for the first save, then one more per save.</param>
/// <param name="Skill">The content.</param>
/// <param name="CreatedAt">When it was saved.</param>
public sealed record SkillVersion(string? Tenant, int Version, Skill Skill, DateTimeOffset CreatedAt)
{
    /// <summary>Gets the skill's name.</summary>
    public string Name => Skill.Name;

    /// <summary>Turns this version of a skill that is itself an agent into the kernel's agent, versioned.</summary>
    /// <returns>The agent, with <see cref="RunnableAgent.Version"/> set to this version.</returns>
    public RunnableAgent ToRunnable() => Skill.ToRunnable() with { Version = Version.ToString(CultureInfo.InvariantCulture) };
}
