namespace Executus.Models;

/// <summary>Options of a <see cref="ModelFailoverChatClient"/>.</summary>
public sealed class FailoverOptions
{
    /// <summary>The default cool-down of a candidate after a transient failure without <c>Retry-After</c>.</summary>
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a candidate is skipped after a transient failure that carried no <c>Retry-After</c>
    /// (<c>Executus:Models:Cooldown</c> when resolved from a tier). <see cref="TimeSpan.Zero"/> disables cool-down.
    /// </summary>
    public TimeSpan Cooldown { get; set; } = DefaultCooldown;

    /// <summary>Gets or sets the longest cool-down a server's <c>Retry-After</c> may impose (default 10 minutes).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The default least time between two probes of a cooling candidate.</summary>
    public static readonly TimeSpan DefaultProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the least time between two probes of a cooling candidate, or null to never probe. When every
    /// candidate is cooling down (so a call would be refused outright), the one whose cool-down ends soonest is tried
    /// once anyway — at most one such probe per candidate per interval, and never while a server's <c>Retry-After</c>
    /// runs. A probe that succeeds ends that candidate's cool-down; one that fails transiently extends it
    /// (<c>Executus:Models:ProbeInterval</c> when resolved from a tier; default 1 second).
    /// </summary>
    public TimeSpan? ProbeInterval { get; set; } = DefaultProbeInterval;

    /// <summary>Gets or sets the clock for cool-downs; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets which failures are transient; <see cref="DefaultTransientErrorClassifier"/> by default.</summary>
    public ITransientErrorClassifier Classifier { get; set; } = DefaultTransientErrorClassifier.Instance;

    /// <summary>Gets or sets the tier name reported in errors and telemetry, if any.</summary>
    public string? Tier { get; set; }

    /// <summary>Gets or sets whether disposing the failover client leaves the candidates' clients undisposed.</summary>
    public bool LeaveOpen { get; set; }
}
