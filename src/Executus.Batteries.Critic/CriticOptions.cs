using Executus.Configuration;
using Executus.Deliver;

namespace Executus.Critics;

/// <summary>Settings of <see cref="TimeoutCritic"/> (configuration keys under <c>Executus:Critic:</c>).</summary>
public sealed class CriticOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Critic:";

    /// <summary>
    /// Gets or sets the soft deadline for agents that set no <see cref="Runs.RunnableAgent.SoftTimeout"/>
    /// (<c>SoftDeadline</c>, default 2 minutes): before it the critic answers Continue without reviewing.
    /// </summary>
    public TimeSpan SoftDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets the hard deadline the critic enforces for agents that set no <see cref="Runs.RunnableAgent.Timeout"/>
    /// (<c>HardDeadline</c>, default 15 minutes; <c>infinite</c> = none), moved by the extensions it grants. An agent
    /// with its own timeout gets the kernel's deadline timer, and the critic escalates when the kernel reports it.
    /// </summary>
    public TimeSpan? HardDeadline { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets how often progress is reviewed after the soft deadline (<c>ReviewInterval</c>, default 1 minute).</summary>
    public TimeSpan ReviewInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many extensions a run may get (<c>MaxExtensions</c>, default 2).</summary>
    public int MaxExtensions { get; set; } = 2;

    /// <summary>Gets or sets the most all of a run's extensions may add up to (<c>MaxTotalExtension</c>, default 10 minutes).</summary>
    public TimeSpan MaxTotalExtension { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets where escalations go (<c>Escalation:Destination</c>, copied into the delivery's metadata as <c>destination</c>).</summary>
    public string? EscalationDestination { get; set; }

    /// <summary>Gets or sets the delivery escalations use; the container's <see cref="IDelivery"/> when null.</summary>
    public IDelivery? OperatorDelivery { get; set; }

    /// <summary>Gets or sets how many of the last messages an escalation summarizes (<c>Escalation:LastMessages</c>, default 6).</summary>
    public int EscalationLastMessages { get; set; } = 6;

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static CriticOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new CriticOptions();
        options.SoftDeadline = config.GetDuration(ConfigPrefix + "SoftDeadline", options.SoftDeadline, TimeSpan.Zero, TimeSpan.FromDays(30));
        if (config.GetString(ConfigPrefix + "HardDeadline") is { } hard)
        {
            options.HardDeadline = string.Equals(hard.Trim(), "infinite", StringComparison.OrdinalIgnoreCase)
                ? null
                : config.GetDuration(ConfigPrefix + "HardDeadline", TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        }

        options.ReviewInterval = config.GetDuration(ConfigPrefix + "ReviewInterval", options.ReviewInterval, TimeSpan.Zero, TimeSpan.FromDays(1));
        options.MaxExtensions = config.GetInt(ConfigPrefix + "MaxExtensions", options.MaxExtensions, min: 0, max: 1000);
        options.MaxTotalExtension = config.GetDuration(ConfigPrefix + "MaxTotalExtension", options.MaxTotalExtension, TimeSpan.Zero, TimeSpan.FromDays(30));
        options.EscalationDestination = config.GetString(ConfigPrefix + "Escalation:Destination") ?? options.EscalationDestination;
        options.EscalationLastMessages = config.GetInt(ConfigPrefix + "Escalation:LastMessages", options.EscalationLastMessages, min: 0, max: 100);
        return options;
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SoftDeadline, TimeSpan.Zero, nameof(SoftDeadline));
        if (HardDeadline is { } hard)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hard, TimeSpan.Zero, nameof(HardDeadline));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ReviewInterval, TimeSpan.Zero, nameof(ReviewInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxExtensions, nameof(MaxExtensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTotalExtension, TimeSpan.Zero, nameof(MaxTotalExtension));
        ArgumentOutOfRangeException.ThrowIfNegative(EscalationLastMessages, nameof(EscalationLastMessages));
    }
}
