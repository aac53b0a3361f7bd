using Executus.Configuration;
using Executus.Deliver;

namespace Executus.Checkpoints;

/// <summary>Settings of <see cref="InterruptedRunRecovery"/> (configuration keys under <c>Executus:Checkpoint:Recovery:</c>).</summary>
public sealed class InterruptedRunRecoveryOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Checkpoint:Recovery:";

    /// <summary>Gets or sets the policy (<c>Policy</c>: <c>Resume</c>, <c>Abandon</c> or <c>Notify</c>; default Resume).</summary>
    public RecoveryPolicy Policy { get; set; } = RecoveryPolicy.Resume;

    /// <summary>
    /// Gets or sets how many resumes a run gets (<c>MaxResumeAttempts</c>, default 3): a run whose resume was begun this
    /// many times without ending is abandoned instead (it probably crashes its process). A resumed run that is
    /// cancelled again by a shutdown does not count.
    /// </summary>
    public int MaxResumeAttempts { get; set; } = 3;

    /// <summary>Gets or sets the lane resumed runs go through (<c>Lane</c>, default <c>recovery</c>; limits from <c>Executus:Lanes:{name}:*</c>).</summary>
    public string LaneName { get; set; } = "recovery";

    /// <summary>
    /// Gets or sets the age past which a checkpoint is pruned at start-up instead of recovered (<c>MaxAge</c>; null,
    /// the default, keeps all).
    /// </summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Gets or sets where <see cref="RecoveryPolicy.Notify"/> tells an operator; the container's <see cref="IDelivery"/> when null.</summary>
    public IDelivery? OperatorDelivery { get; set; }

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static InterruptedRunRecoveryOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new InterruptedRunRecoveryOptions();
        options.Policy = config.GetEnum(ConfigPrefix + "Policy", options.Policy);
        options.MaxResumeAttempts = config.GetInt(ConfigPrefix + "MaxResumeAttempts", options.MaxResumeAttempts, min: 1);
        options.LaneName = config.GetString(ConfigPrefix + "Lane") ?? options.LaneName;
        if (config.GetString(ConfigPrefix + "MaxAge") is not null)
        {
            options.MaxAge = config.GetDuration(ConfigPrefix + "MaxAge", TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.MaxValue);
        }

        return options;
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">The lane name is blank.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResumeAttempts, 1, nameof(MaxResumeAttempts));
        ArgumentException.ThrowIfNullOrWhiteSpace(LaneName, nameof(LaneName));
        if (!Enum.IsDefined(Policy))
        {
            throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "Unknown RecoveryPolicy.");
        }

        if (MaxAge is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAge), age, "MaxAge must be positive.");
        }
    }
}
