namespace Executus.Skills;

/// <summary>The names of the skill battery's tools.</summary>
public static class SkillToolNames
{
    /// <summary><c>load_skill</c>: returns a skill's instructions.</summary>
    public const string LoadSkill = "load_skill";

    /// <summary><c>read_skill_resource</c>: returns one of a skill's resources.</summary>
    public const string ReadSkillResource = "read_skill_resource";
}
