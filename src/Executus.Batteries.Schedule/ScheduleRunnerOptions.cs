using Executus.Configuration;

namespace Executus.Schedules;

/// <summary>Settings of <see cref="ScheduleRunner"/> (configuration keys under <c>Executus:Schedule:</c>).</summary>
public sealed class ScheduleRunnerOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Schedule:";

    /// <summary>
    /// Gets or sets this host's id in leases (<c>HostId</c>; default machine name + process id + a random suffix).
    /// Hosts sharing one store must have different ids.
    /// </summary>
    public string HostId { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Gets or sets the lane firings run on unless a schedule names one (<c>Lane</c>, default <c>schedule</c>; limits from <c>Executus:Lanes:{name}:*</c>).</summary>
    public string Lane { get; set; } = "schedule";

    /// <summary>Gets or sets how long a lease lasts (<c>LeaseDuration</c>, default 1 minute); a running firing renews it every third of that.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the longest the runner sleeps before re-reading the store (<c>RefreshInterval</c>, default 1 minute),
    /// so schedules saved by another host or straight into the store are seen. Saves through the runner wake it at once.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how late an occurrence may fire and still count as on time (<c>MisfireThreshold</c>, default 1
    /// minute). Occurrences older than that when the runner sees them were missed, and the schedule's
    /// <see cref="Schedule.Misfire"/> policy decides what happens to them.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long <see cref="ScheduleRunner.StopAsync"/> waits for running firings before cancelling them (<c>ShutdownTimeout</c>, default 10 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static ScheduleRunnerOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new ScheduleRunnerOptions();
        options.HostId = config.GetString(ConfigPrefix + "HostId") ?? options.HostId;
        options.Lane = config.GetString(ConfigPrefix + "Lane") ?? options.Lane;
        options.LeaseDuration = config.GetDuration(ConfigPrefix + "LeaseDuration", options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        options.RefreshInterval = config.GetDuration(ConfigPrefix + "RefreshInterval", options.RefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        options.MisfireThreshold = config.GetDuration(ConfigPrefix + "MisfireThreshold", options.MisfireThreshold, TimeSpan.Zero, TimeSpan.FromDays(1));
        options.ShutdownTimeout = config.GetDuration(ConfigPrefix + "ShutdownTimeout", options.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromHours(1));
        return options;
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">The host id or the lane is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A duration is out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(HostId, nameof(HostId));
        ArgumentException.ThrowIfNullOrWhiteSpace(Lane, nameof(Lane));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LeaseDuration, TimeSpan.Zero, nameof(LeaseDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(RefreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MisfireThreshold, TimeSpan.Zero, nameof(MisfireThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero, nameof(ShutdownTimeout));
    }
}
