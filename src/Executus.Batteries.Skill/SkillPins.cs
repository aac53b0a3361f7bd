using System.Globalization;
using Executus.Runs;

namespace Executus.Skills;

/// <summary>
/// Per-run skill version pins, carried in the agent's metadata (<c>executus.skill.pin.&lt;name&gt;</c> = version) so
/// they travel with the run, its sub-runs' lookups and its checkpoint: a pinned run loads that version of the skill
/// whatever the active version is.
/// </summary>
public static class SkillPins
{
    /// <summary>The metadata key prefix of a pin.</summary>
    public const string MetadataPrefix = "executus.skill.pin.";

    /// <summary>Returns a copy of <paramref name="agent"/> pinning each named skill to its version.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="pins">Skill name → version (at least 1).</param>
    /// <returns>The pinned agent.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A version is below 1.</exception>
    public static RunnableAgent Pin(RunnableAgent agent, IEnumerable<KeyValuePair<string, int>> pins)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(pins);
        Dictionary<string, string> metadata = new(agent.Metadata, StringComparer.Ordinal);
        foreach ((string name, int version) in pins)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(pins));
            ArgumentOutOfRangeException.ThrowIfLessThan(version, 1, nameof(pins));
            metadata[MetadataPrefix + name] = version.ToString(CultureInfo.InvariantCulture);
        }

        return agent with { Metadata = metadata };
    }

    /// <summary>Gets the version <paramref name="agent"/> pins <paramref name="skillName"/> to, if any.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="skillName">The skill's name.</param>
    /// <returns>The pinned version, or <see langword="null"/>.</returns>
    public static int? Get(RunnableAgent agent, string skillName)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(skillName);
        return agent.Metadata.TryGetValue(MetadataPrefix + skillName, out string? text) &&
               int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) && version >= 1
            ? version
            : null;
    }
}
