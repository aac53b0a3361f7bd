using System.Text.RegularExpressions;
using Executus.Runs;

namespace Executus.Skills;

/// <summary>
/// A skill: instructions (the body) a model loads on demand, with named resources, the tools it may use, an optional
/// schedule and metadata. Field rules follow the Agent Skills format (SKILL.md): a name of at most 64 lowercase
/// letters, digits and single hyphens, and a description of at most 1024 characters.
/// </summary>
public sealed partial record Skill
{
    /// <summary>The longest skill name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The longest description.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The longest compatibility note.</summary>
    public const int MaxCompatibilityLength = 500;

    /// <summary>Initializes a skill.</summary>
    /// <param name="name">The name: 1–64 lowercase letters, digits and hyphens, not starting or ending with a hyphen, no <c>--</c>.</param>
    /// <param name="description">What the skill does and when to use it: 1–1024 characters.</param>
    /// <exception cref="ArgumentException">The name or the description breaks its rule.</exception>
    public Skill(string name, string description)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        if (NameProblem(name) is { } problem)
        {
            throw new ArgumentException($"Skill name '{name}' is invalid: {problem}.", nameof(name));
        }

        if (string.IsNullOrWhiteSpace(description) || description.Length > MaxDescriptionLength)
        {
            throw new ArgumentException($"Skill '{name}': the description must hold 1-{MaxDescriptionLength} characters (it has {description.Length}).", nameof(description));
        }

        Name = name;
        Description = description;
    }

    /// <summary>Gets the skill's name.</summary>
    public string Name { get; }

    /// <summary>Gets what the skill does and when to use it (shown in the skills catalog).</summary>
    public string Description { get; }

    /// <summary>Gets the instructions a model receives when it loads the skill.</summary>
    public string Body { get; init; } = string.Empty;

    /// <summary>Gets the skill's named resources (files of its folder), read on demand.</summary>
    public IReadOnlyList<SkillResource> Resources { get; init; } = [];

    /// <summary>Gets the tools the skill may use (SKILL.md <c>allowed-tools</c>).</summary>
    public IReadOnlyList<string> AllowedTools { get; init; } = [];

    /// <summary>Gets the licence note, if any.</summary>
    public string? License { get; init; }

    /// <summary>Gets the environment requirements note (at most 500 characters), if any.</summary>
    public string? Compatibility { get; init; }

    /// <summary>Gets the schedule on which the Schedule battery runs the skill, if any.</summary>
    public SkillSchedule? Schedule { get; init; }

    /// <summary>Gets free-form metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Returns what is wrong with <paramref name="name"/> as a skill name, or <see langword="null"/> when it is valid.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The problem, or null.</returns>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"it has {name.Length} characters; the limit is {MaxNameLength}";
        }

        if (!NamePattern().IsMatch(name))
        {
            return "use lowercase letters, digits and single hyphens, not starting or ending with a hyphen";
        }

        return null;
    }

    /// <summary>Finds the resource named <paramref name="name"/> (a path relative to the skill folder, '/'-separated).</summary>
    /// <param name="name">The resource name (compared ordinally).</param>
    /// <returns>The resource, or <see langword="null"/>.</returns>
    public SkillResource? FindResource(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string normalized = name.Replace('\\', '/').TrimStart('.', '/');
        foreach (SkillResource resource in Resources)
        {
            if (resource.Name == normalized)
            {
                return resource;
            }
        }

        return null;
    }

    /// <summary>
    /// Turns a skill that is itself an agent into the kernel's agent: its body as instructions, its allowed tools as
    /// the agent's tools.
    /// </summary>
    /// <returns>The agent (unversioned; see <see cref="SkillVersion.ToRunnable"/>).</returns>
    public RunnableAgent ToRunnable() => new(Name)
    {
        Description = Description,
        Instructions = Body,
        Tools = AllowedTools,
        Metadata = Metadata,
    };

    /// <summary>Returns whether two skills hold the same content (every field and every resource's bytes).</summary>
    /// <param name="other">The other skill.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool ContentEquals(Skill? other) =>
        other is not null &&
        Name == other.Name && Description == other.Description && Body == other.Body &&
        License == other.License && Compatibility == other.Compatibility && Schedule == other.Schedule &&
        AllowedTools.SequenceEqual(other.AllowedTools, StringComparer.Ordinal) &&
        Metadata.Count == other.Metadata.Count && Metadata.All(m => other.Metadata.TryGetValue(m.Key, out string? v) && v == m.Value) &&
        Resources.Count == other.Resources.Count &&
        Resources.Zip(other.Resources).All(p => p.First.Name == p.Second.Name && p.First.Content.Span.SequenceEqual(p.Second.Content.Span));

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
