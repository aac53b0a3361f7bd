using System.Globalization;
using System.Security.Cryptography;
using Executus.Configuration;

namespace Executus.Checkpoints;

/// <summary>
/// Settings of run leases (configuration keys under <c>Executus:Checkpoint:Lease:</c>): how hosts sharing one checkpoint
/// store divide the runs between them (<see cref="RunLeaseKeeper"/>, <see cref="StoreCheckpointer"/>,
/// <see cref="InterruptedRunRecovery"/>).
/// </summary>
public sealed class RunLeaseOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Checkpoint:Lease:";

    /// <summary>The default <see cref="Duration"/>.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="HeartbeatInterval"/>.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="ScanInterval"/>.</summary>
    public static readonly TimeSpan DefaultScanInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether runs are leased (<c>Enabled</c>, default <see langword="false"/>). Turn it on for every host
    /// that shares its checkpoint store with other hosts; the store must implement <see cref="IRunLeaseStore"/>. Off,
    /// a host treats every checkpoint it finds at start-up as its own (the single-host behaviour).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets this host's id, the owner of its leases (<c>HostId</c>; default <see cref="CreateDefaultHostId"/>:
    /// machine name, process id and a random suffix). A host that keeps its id across restarts takes its own runs back
    /// at start-up instead of waiting for their leases to expire; two live hosts must never share one.
    /// </summary>
    public string HostId { get; set; } = CreateDefaultHostId();

    /// <summary>Gets or sets how long a lease lasts without a heartbeat (<c>Duration</c>, default 30 s): how soon another host may take the runs of a host that died.</summary>
    public TimeSpan Duration { get; set; } = DefaultDuration;

    /// <summary>Gets or sets how often a host renews its leases (<c>HeartbeatInterval</c>, default 10 s; shorter than <see cref="Duration"/>).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>Gets or sets how often <see cref="InterruptedRunRecovery"/> looks for runs whose lease expired (<c>ScanInterval</c>, default 10 s).</summary>
    public TimeSpan ScanInterval { get; set; } = DefaultScanInterval;

    /// <summary>Builds a host id unique to this process: <c>{machine}-{pid}-{8 random hex digits}</c>.</summary>
    /// <returns>The id.</returns>
    public static string CreateDefaultHostId() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Environment.MachineName}-{Environment.ProcessId}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}");

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range (the heartbeat must be shorter than the duration).</exception>
    public static RunLeaseOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new RunLeaseOptions
        {
            Enabled = config.GetBool(ConfigPrefix + "Enabled", false),
            Duration = config.GetDuration(ConfigPrefix + "Duration", DefaultDuration, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1)),
            HeartbeatInterval = config.GetDuration(ConfigPrefix + "HeartbeatInterval", DefaultHeartbeatInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
            ScanInterval = config.GetDuration(ConfigPrefix + "ScanInterval", DefaultScanInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
        };
        if (config.GetString(ConfigPrefix + "HostId") is { } hostId)
        {
            options.HostId = hostId.Trim();
        }

        if (options.HeartbeatInterval >= options.Duration)
        {
            throw new ConfigException(
                ConfigPrefix + "HeartbeatInterval",
                config.GetString(ConfigPrefix + "HeartbeatInterval") ?? options.HeartbeatInterval.ToString("c", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"a duration shorter than {ConfigPrefix}Duration ({options.Duration:c})"));
        }

        return options;
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">The host id is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A duration is not positive, or the heartbeat is not shorter than the lease.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(HostId, nameof(HostId));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Duration, TimeSpan.Zero, nameof(Duration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatInterval, TimeSpan.Zero, nameof(HeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ScanInterval, TimeSpan.Zero, nameof(ScanInterval));
        if (HeartbeatInterval >= Duration)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "HeartbeatInterval must be shorter than Duration, or leases expire between heartbeats.");
        }
    }
}
