namespace Executus.Skills;

/// <summary>A store call named a skill, or a version of it, that the tenant's scope does not hold.</summary>
public sealed class SkillNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance.</summary>
    public SkillNotFoundException()
        : this("The skill was not found.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public SkillNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SkillNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a missing skill or version.</summary>
    /// <param name="tenant">The tenant scope (null: shared).</param>
    /// <param name="skillName">The skill.</param>
    /// <param name="version">The version, when a version was missing.</param>
    public SkillNotFoundException(string? tenant, string skillName, int? version = null)
        : base(Describe(tenant, skillName, version))
    {
        Tenant = tenant;
        SkillName = skillName;
        Version = version;
    }

    /// <summary>Gets the tenant scope searched (null: shared).</summary>
    public string? Tenant { get; }

    /// <summary>Gets the skill's name.</summary>
    public string? SkillName { get; }

    /// <summary>Gets the missing version, when a version was asked for.</summary>
    public int? Version { get; }

    private static string Describe(string? tenant, string skillName, int? version)
    {
        string scope = tenant is null ? "the shared scope" : $"tenant '{tenant}'";
        return version is { } v
            ? $"Skill '{skillName}' has no version {v} in {scope}."
            : $"There is no skill '{skillName}' in {scope}.";
    }
}
