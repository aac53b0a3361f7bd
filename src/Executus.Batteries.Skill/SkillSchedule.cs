namespace Executus.Skills;

/// <summary>When the Schedule battery runs a skill: a cron expression in a time zone, with an input.</summary>
/// <param name="Cron">A cron expression of 5 (minute hour day month weekday) or 6 (with seconds) fields.</param>
/// <param name="TimeZone">An IANA or Windows time zone id; UTC when null.</param>
/// <param name="Input">The input the scheduled run receives, if any.</param>
public sealed record SkillSchedule(string Cron, string? TimeZone = null, string? Input = null);
