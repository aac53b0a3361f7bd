using Executus.Configuration;

namespace Executus.Checkpoints;

/// <summary>Settings of <see cref="StoreCheckpointer"/> (configuration keys under <c>Executus:Checkpoint:</c>).</summary>
public sealed class CheckpointOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Checkpoint:";

    /// <summary>The default <see cref="MinInterval"/>.</summary>
    public static readonly TimeSpan DefaultMinInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets the shortest time between two writes of one run's turn snapshots (<c>Executus:Checkpoint:MinInterval</c>,
    /// default 2 s; <c>0s</c> writes every turn). A turn inside the interval is kept as the run's pending latest state
    /// and written at the next write, before tools with side effects, at the run's end, or at flush/shutdown.
    /// </summary>
    public TimeSpan MinInterval { get; set; } = DefaultMinInterval;

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static CheckpointOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CheckpointOptions
        {
            MinInterval = config.GetDuration(ConfigPrefix + "MinInterval", DefaultMinInterval, TimeSpan.Zero, TimeSpan.FromDays(1)),
        };
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MinInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinInterval), MinInterval, "MinInterval must not be negative.");
        }
    }
}
