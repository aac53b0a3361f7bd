namespace Executus.Skills;

/// <summary>The skills <c>AddSkills</c> collected at registration, seeding the default store.</summary>
internal sealed class SkillSeeds
{
    private readonly List<(string? Tenant, Skill Skill, string Source)> _skills = [];

    public void Add(string? tenant, Skill skill, string source)
    {
        foreach ((string? t, Skill s, string first) in _skills)
        {
            if (t == tenant && s.Name == skill.Name)
            {
                throw new SkillValidationException(source, SkillRule.NameMatchesFolder, $"skill '{skill.Name}' is already added from {first}");
            }
        }

        _skills.Add((tenant, skill, source));
    }

    public void ApplyTo(InMemorySkillStore store)
    {
        foreach ((string? tenant, Skill skill, _) in _skills)
        {
            store.Import(tenant, skill);
        }
    }
}
