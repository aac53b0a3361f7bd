namespace Executus.Skills;

/// <summary>When the Schedule battery runs a skill: a cron expression in a time zone, with an input.</summary>
/// <param name="Cron">A cron expression of 5 (minute hour day month weekday) or 6 (with seconds) fields.</param>
/// <param name="TimeZone">An IANA or Windows time zone id; UTC when null.</param>
/// <param name="Input">The input the scheduled run receives, if any.</param>
public sealed record SkillSchedule(string Cron, string? TimeZone = null, string? Input = null)
{
    /// <summary>
    /// Gets the agent (persona) that runs the skill when it is due; null leaves the choice to the host
    /// (<c>Executus:Schedule:Skills:Agent</c> with <c>AddBatteries</c>).
    /// </summary>
    public string? Agent { get; init; }
}
