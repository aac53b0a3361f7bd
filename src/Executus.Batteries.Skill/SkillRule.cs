namespace Executus.Skills;

/// <summary>The rule a skill folder broke (see <see cref="SkillValidationException"/>).</summary>
public enum SkillRule
{
    /// <summary>A skill folder must hold a <c>SKILL.md</c> file.</summary>
    SkillFileRequired,

    /// <summary><c>SKILL.md</c> must start with YAML front matter between <c>---</c> lines, holding a mapping.</summary>
    FrontMatter,

    /// <summary>Only the Agent Skills fields are allowed: name, description, license, compatibility, allowed-tools, metadata.</summary>
    UnknownField,

    /// <summary>A field holds the wrong kind of value (text, list, mapping).</summary>
    FieldType,

    /// <summary><c>name</c> is required.</summary>
    NameRequired,

    /// <summary><c>name</c>: at most 64 lowercase letters, digits and single hyphens, not starting or ending with one.</summary>
    NameFormat,

    /// <summary><c>name</c> must equal the skill's folder name.</summary>
    NameMatchesFolder,

    /// <summary><c>description</c> is required and not blank.</summary>
    DescriptionRequired,

    /// <summary><c>description</c>: at most 1024 characters.</summary>
    DescriptionLength,

    /// <summary><c>compatibility</c>: at most 500 characters.</summary>
    CompatibilityLength,

    /// <summary><c>metadata</c>: a mapping of text keys to text values.</summary>
    MetadataFormat,

    /// <summary>A resource file is larger than the loader's limit.</summary>
    ResourceTooLarge,

    /// <summary>The <c>executus.schedule*</c> metadata must hold a valid cron expression and time zone.</summary>
    Schedule,
}
