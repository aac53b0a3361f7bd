using Executus.Configuration;

namespace Executus.Batteries;

/// <summary>
/// How <see cref="SkillScheduleSync"/> turns skills' schedules into schedules, read from <c>Executus:Schedule:Skills:*</c>.
/// </summary>
public sealed class SkillScheduleOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Schedule:Skills:";

    /// <summary>The prefix of every schedule id the sync owns (<c>skill:NAME</c>, or <c>skill:TENANT/NAME</c> for a tenant's skill).</summary>
    public const string ScheduleIdPrefix = "skill:";

    /// <summary>
    /// Gets or sets whether active skills with a schedule are kept as schedules (<c>Executus:Schedule:Skills:Enabled</c>,
    /// default <see langword="true"/>); when false nothing is added or removed.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the agent (persona) that runs a scheduled skill whose schedule names none
    /// (<c>Executus:Schedule:Skills:Agent</c>); when null such a skill is not scheduled, and the sync says so.
    /// </summary>
    public string? Agent { get; set; }

    /// <summary>Gets or sets the caller id the scheduled runs are made for (<c>Executus:Schedule:Skills:Caller</c>, default <c>skill-scheduler</c>).</summary>
    public string Caller { get; set; } = "skill-scheduler";

    /// <summary>Gets or sets the roles of that caller (<c>Executus:Schedule:Skills:Roles</c>, comma-separated), which persona access checks see.</summary>
    public IList<string> Roles { get; set; } = [];

    /// <summary>
    /// Gets or sets the tenants whose skills are scheduled too (<c>Executus:Schedule:Skills:Tenants</c>, comma-separated);
    /// the shared skills always are. A tenant's skill runs for the caller in that tenant.
    /// </summary>
    public IList<string> Tenants { get; set; } = [];

    /// <summary>
    /// Gets or sets how often the skills are read again after the sync at start (<c>Executus:Schedule:Skills:SyncInterval</c>,
    /// default 1 minute, 1 second to 1 day), so a skill activated, changed or retired on any host is followed.
    /// </summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The source.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range; the exception names the key.</exception>
    public static SkillScheduleOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new SkillScheduleOptions();
        // Why no blank checks: a blank value reads as missing (the default).
        return new SkillScheduleOptions
        {
            Enabled = config.GetBool(ConfigPrefix + "Enabled", defaults.Enabled),
            Agent = config.GetString(ConfigPrefix + "Agent"),
            Caller = config.GetString(ConfigPrefix + "Caller", defaults.Caller),
            Roles = [.. config.GetList(ConfigPrefix + "Roles")],
            Tenants = [.. config.GetList(ConfigPrefix + "Tenants")],
            SyncInterval = config.GetDuration(ConfigPrefix + "SyncInterval", defaults.SyncInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
        };
    }
}
