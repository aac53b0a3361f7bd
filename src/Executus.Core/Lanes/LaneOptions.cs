using Executus.Configuration;

namespace Executus.Lanes;

/// <summary>
/// Limits and behaviour of a <see cref="Lane"/>. Read from configuration under <c>Executus:Lanes:{name}:</c> by
/// <see cref="FromConfig"/> (keys <c>MaxConcurrency</c>, <c>MaxQueued</c>, <c>MaxPerKey</c>, <c>SubmitMode</c>,
/// <c>ShutdownMode</c>).
/// </summary>
public sealed class LaneOptions
{
    /// <summary>The configuration prefix of every lane: <c>Executus:Lanes:</c>.</summary>
    public const string SectionPrefix = "Executus:Lanes:";

    /// <summary>Gets or sets how many jobs may run at once. Must be at least 1. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Gets or sets how many jobs may wait in the queue (beyond the running ones). Zero means none. Default 1,000.</summary>
    public int MaxQueued { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets how many jobs of one key (caller or tenant) may run at once; zero means no per-key cap (only the
    /// lane's <see cref="MaxConcurrency"/>). Default 0.
    /// </summary>
    public int MaxPerKey { get; set; }

    /// <summary>Gets or sets what a submission does when the queue is full, unless the caller says otherwise. Default <see cref="LaneSubmitMode.Wait"/>.</summary>
    public LaneSubmitMode SubmitMode { get; set; } = LaneSubmitMode.Wait;

    /// <summary>Gets or sets what disposing the lane does with queued jobs. Default <see cref="LaneShutdownMode.Drain"/>.</summary>
    public LaneShutdownMode ShutdownMode { get; set; } = LaneShutdownMode.Drain;

    /// <summary>Returns a copy of these options.</summary>
    /// <returns>The copy.</returns>
    public LaneOptions Clone() => new()
    {
        MaxConcurrency = MaxConcurrency,
        MaxQueued = MaxQueued,
        MaxPerKey = MaxPerKey,
        SubmitMode = SubmitMode,
        ShutdownMode = ShutdownMode,
    };

    /// <summary>
    /// Reads the options of lane <paramref name="laneName"/> from <paramref name="config"/>; keys that are missing
    /// keep the values of <paramref name="defaults"/>.
    /// </summary>
    /// <param name="config">The configuration source.</param>
    /// <param name="laneName">The lane's name, e.g. <c>interactive</c>.</param>
    /// <param name="defaults">The values used for missing keys; <see langword="null"/> for the built-in defaults.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static LaneOptions FromConfig(IConfigSource config, string laneName, LaneOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(laneName);

        LaneOptions options = defaults?.Clone() ?? new LaneOptions();
        string prefix = SectionPrefix + laneName + ":";
        options.MaxConcurrency = config.GetInt(prefix + nameof(MaxConcurrency), options.MaxConcurrency, min: 1);
        options.MaxQueued = config.GetInt(prefix + nameof(MaxQueued), options.MaxQueued, min: 0);
        options.MaxPerKey = config.GetInt(prefix + nameof(MaxPerKey), options.MaxPerKey, min: 0);
        options.SubmitMode = config.GetEnum(prefix + nameof(SubmitMode), options.SubmitMode);
        options.ShutdownMode = config.GetEnum(prefix + nameof(ShutdownMode), options.ShutdownMode);
        return options;
    }
}
