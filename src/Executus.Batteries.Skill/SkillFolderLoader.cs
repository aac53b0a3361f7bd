using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Executus.Skills;

/// <summary>
/// Loads Agent Skills folders: <c>&lt;name&gt;/SKILL.md</c> (YAML front matter with <c>name</c> equal to the folder,
/// <c>description</c>, optional <c>license</c>, <c>compatibility</c>, <c>allowed-tools</c>, <c>metadata</c>; the
/// Markdown body is the skill's instructions) plus every other file of the folder as a resource, so existing
/// SKILL.md skills load unchanged. Every broken rule throws a <see cref="SkillValidationException"/> naming the file
/// and the <see cref="SkillRule"/>.
/// </summary>
/// <remarks>
/// A schedule is read from the metadata keys <c>executus.schedule</c> (cron), <c>executus.schedule.timezone</c>,
/// <c>executus.schedule.input</c> and <c>executus.schedule.agent</c>, since the format allows no other top-level field. Scripts in a skill folder are
/// loaded as resources only; running them is out of scope.
/// </remarks>
public static partial class SkillFolderLoader
{
    /// <summary>The skill file's name.</summary>
    public const string SkillFileName = "SKILL.md";

    /// <summary>The default cap on one resource file.</summary>
    public const long DefaultMaxResourceBytes = 1024 * 1024;

    /// <summary>The metadata key holding a cron expression.</summary>
    public const string ScheduleKey = "executus.schedule";

    /// <summary>The metadata key holding the schedule's time zone.</summary>
    public const string ScheduleTimeZoneKey = "executus.schedule.timezone";

    /// <summary>The metadata key holding the scheduled run's input.</summary>
    public const string ScheduleInputKey = "executus.schedule.input";

    /// <summary>The metadata key holding the agent (persona) that runs the scheduled skill.</summary>
    public const string ScheduleAgentKey = "executus.schedule.agent";

    /// <summary>
    /// Loads every skill folder directly under <paramref name="root"/> (folders whose name starts with '.' are skipped),
    /// in folder-name order.
    /// </summary>
    /// <param name="root">The folder holding skill folders.</param>
    /// <param name="maxResourceBytes">The largest resource file accepted.</param>
    /// <returns>The skills.</returns>
    /// <exception cref="SkillValidationException">The folder is missing or a skill breaks a rule.</exception>
    public static IReadOnlyList<Skill> LoadDirectory(string root, long maxResourceBytes = DefaultMaxResourceBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (!Directory.Exists(root))
        {
            throw new SkillValidationException(root, SkillRule.SkillFileRequired, "the skills folder does not exist");
        }

        return [.. Directory.EnumerateDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(d => LoadSkill(d, maxResourceBytes))];
    }

    /// <summary>Loads one skill folder.</summary>
    /// <param name="folder">The skill's folder (its name is the skill's name).</param>
    /// <param name="maxResourceBytes">The largest resource file accepted.</param>
    /// <returns>The skill.</returns>
    /// <exception cref="SkillValidationException">The skill breaks a rule.</exception>
    public static Skill LoadSkill(string folder, long maxResourceBytes = DefaultMaxResourceBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResourceBytes, 1);
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        string file = Path.Combine(full, SkillFileName);
        if (!File.Exists(file))
        {
            throw new SkillValidationException(full, SkillRule.SkillFileRequired, $"a skill folder must hold a {SkillFileName} file");
        }

        Skill skill = Parse(File.ReadAllText(file), Path.GetFileName(full), file);
        List<SkillResource> resources = [];
        foreach (string path in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (path == file)
            {
                continue;
            }

            long length = new FileInfo(path).Length;
            if (length > maxResourceBytes)
            {
                throw new SkillValidationException(
                    path,
                    SkillRule.ResourceTooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"the resource has {length} bytes; the limit is {maxResourceBytes}"));
            }

            resources.Add(new SkillResource(Path.GetRelativePath(full, path).Replace('\\', '/'), File.ReadAllBytes(path)));
        }

        return skill with { Resources = resources };
    }

    /// <summary>Parses a <c>SKILL.md</c> text (without resources).</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="folderName">The skill folder's name, which <c>name</c> must equal.</param>
    /// <param name="filePath">The file, for errors.</param>
    /// <returns>The skill.</returns>
    /// <exception cref="SkillValidationException">A rule is broken.</exception>
    public static Skill Parse(string text, string folderName, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(folderName);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        string[] lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines[0].TrimEnd() != "---")
        {
            throw new SkillValidationException(filePath, SkillRule.FrontMatter, "SKILL.md must start with YAML front matter: a '---' line, the fields, and a closing '---' line", 1);
        }

        int close = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
        if (close < 0)
        {
            throw new SkillValidationException(filePath, SkillRule.FrontMatter, "the front matter is not closed: add a '---' line after the fields", 1);
        }

        YamlMappingNode root = ParseFrontMatter(string.Join('\n', lines[1..close]), filePath);
        string body = string.Join('\n', lines[(close + 1)..]).Trim();
        string? name = null, description = null, license = null, compatibility = null;
        YamlNode? nameNode = null, descriptionNode = null;
        List<string> allowedTools = [];
        Dictionary<string, string> metadata = new(StringComparer.Ordinal);
        foreach ((YamlNode keyNode, YamlNode value) in root.Children)
        {
            string key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Broken(filePath, keyNode, SkillRule.FieldType, "a field name must be plain text");
            switch (key)
            {
                case "name":
                    name = Text(filePath, value, key);
                    nameNode = value;
                    break;
                case "description":
                    description = Text(filePath, value, key);
                    descriptionNode = value;
                    break;
                case "license":
                    license = Text(filePath, value, key);
                    break;
                case "compatibility":
                    compatibility = Text(filePath, value, key);
                    if (compatibility is { Length: > Skill.MaxCompatibilityLength })
                    {
                        throw Broken(filePath, value, SkillRule.CompatibilityLength, string.Create(CultureInfo.InvariantCulture, $"'compatibility' has {compatibility.Length} characters; the limit is {Skill.MaxCompatibilityLength}"));
                    }

                    break;
                case "allowed-tools":
                    allowedTools = value switch
                    {
                        YamlScalarNode { Value: { } list } => [.. list.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                        YamlSequenceNode sequence => [.. sequence.Children.Select(c => Text(filePath, c, key) ?? string.Empty).Where(t => t.Length > 0)],
                        _ => throw Broken(filePath, value, SkillRule.FieldType, "'allowed-tools' must be a space-separated list of tool names"),
                    };
                    break;
                case "metadata":
                    if (value is not YamlMappingNode map)
                    {
                        throw Broken(filePath, value, SkillRule.MetadataFormat, "'metadata' must be a mapping of text keys to text values");
                    }

                    foreach ((YamlNode mk, YamlNode mv) in map.Children)
                    {
                        if (mk is not YamlScalarNode { Value: { } metaKey } || mv is not YamlScalarNode { Value: { } metaValue })
                        {
                            throw Broken(filePath, mv, SkillRule.MetadataFormat, "'metadata' must be a mapping of text keys to text values");
                        }

                        metadata[metaKey] = metaValue;
                    }

                    break;
                default:
                    throw Broken(filePath, keyNode, SkillRule.UnknownField, $"unknown field '{key}' (allowed: name, description, license, compatibility, allowed-tools, metadata)");
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw Broken(filePath, nameNode ?? root, SkillRule.NameRequired, "'name' is required");
        }

        if (Skill.NameProblem(name) is { } problem)
        {
            throw Broken(filePath, nameNode, SkillRule.NameFormat, $"'name' value '{name}' is invalid: {problem}");
        }

        if (name != folderName)
        {
            throw Broken(filePath, nameNode, SkillRule.NameMatchesFolder, $"'name' is '{name}' but the skill's folder is '{folderName}'; they must be equal");
        }

        if (string.IsNullOrWhiteSpace(description))
        {
            throw Broken(filePath, descriptionNode ?? root, SkillRule.DescriptionRequired, "'description' is required: say what the skill does and when to use it");
        }

        if (description.Length > Skill.MaxDescriptionLength)
        {
            throw Broken(filePath, descriptionNode, SkillRule.DescriptionLength, string.Create(CultureInfo.InvariantCulture, $"'description' has {description.Length} characters; the limit is {Skill.MaxDescriptionLength}"));
        }

        return new Skill(name, description)
        {
            Body = body,
            License = license,
            Compatibility = compatibility,
            AllowedTools = allowedTools,
            Metadata = metadata,
            Schedule = ReadSchedule(filePath, metadata),
        };
    }

    private static YamlMappingNode ParseFrontMatter(string yaml, string filePath)
    {
        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SkillValidationException(filePath, SkillRule.FrontMatter, $"the front matter is not valid YAML: {ex.InnerException?.Message ?? ex.Message}", (int)ex.Start.Line + 1, ex);
        }
        catch (InvalidOperationException ex)
        {
            // Why: YamlDotNet's parser throws this (without a position) on some unterminated flow collections.
            throw new SkillValidationException(filePath, SkillRule.FrontMatter, $"the front matter is not valid YAML (an unclosed '[' or '{{'?): {ex.Message}", null, ex);
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new SkillValidationException(filePath, SkillRule.FrontMatter, "the front matter must be one mapping of fields (name: …, description: …)", 2);
    }

    private static string? Text(string filePath, YamlNode node, string field) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw Broken(filePath, node, SkillRule.FieldType, $"'{field}' must be text"),
    };

    private static SkillSchedule? ReadSchedule(string filePath, Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ScheduleKey, out string? cron))
        {
            if (metadata.ContainsKey(ScheduleTimeZoneKey) || metadata.ContainsKey(ScheduleInputKey) || metadata.ContainsKey(ScheduleAgentKey))
            {
                throw new SkillValidationException(filePath, SkillRule.Schedule, $"'{ScheduleTimeZoneKey}', '{ScheduleInputKey}' and '{ScheduleAgentKey}' need '{ScheduleKey}' (a cron expression)");
            }

            return null;
        }

        string[] fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6) || !fields.All(f => CronField().IsMatch(f)))
        {
            throw new SkillValidationException(filePath, SkillRule.Schedule, $"'{ScheduleKey}' value '{cron}' is not a cron expression of 5 or 6 fields");
        }

        string? zone = metadata.GetValueOrDefault(ScheduleTimeZoneKey);
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new SkillValidationException(filePath, SkillRule.Schedule, $"'{ScheduleTimeZoneKey}' value '{zone}' is not a known time zone");
        }

        string? agent = metadata.GetValueOrDefault(ScheduleAgentKey);
        if (agent is not null && (string.IsNullOrWhiteSpace(agent) || agent.Any(char.IsControl)))
        {
            throw new SkillValidationException(filePath, SkillRule.Schedule, $"'{ScheduleAgentKey}' must name an agent (no blank value, no control characters)");
        }

        return new SkillSchedule(string.Join(' ', fields), zone, metadata.GetValueOrDefault(ScheduleInputKey)) { Agent = agent };
    }

    private static SkillValidationException Broken(string filePath, YamlNode? node, SkillRule rule, string problem) =>
        new(filePath, rule, problem, node is null ? null : (int)node.Start.Line + 1);

    [GeneratedRegex(@"^[0-9A-Za-z*?/,#LW-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CronField();
}
