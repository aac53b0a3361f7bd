using Executus.Lanes;

namespace Executus.Fanout;

/// <summary>How a fan-out runs its grid.</summary>
public sealed class FanOutOptions
{
    /// <summary>Gets or sets how many cells may run at once. Must be at least 1. Default 8.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Gets or sets how long one cell may take; <see langword="null"/> (the default) for no limit.</summary>
    public TimeSpan? CellTimeout { get; set; }

    /// <summary>Gets or sets a value indicating whether the first failed or timed-out cell stops the rest (they end cancelled).</summary>
    public bool FailFast { get; set; }

    /// <summary>
    /// Gets or sets the quorum: once this many cells have succeeded, the rest are cancelled. <see langword="null"/>
    /// (the default) runs every cell.
    /// </summary>
    public int? Quorum { get; set; }

    /// <summary>
    /// Gets or sets the lane the cells run on; <see langword="null"/> runs them directly, bounded only by
    /// <see cref="MaxConcurrency"/>. On a lane, both bounds apply and cells queue fairly with the lane's other work.
    /// </summary>
    public Lane? Lane { get; set; }

    /// <summary>Gets or sets the fair-share key the cells are submitted under on <see cref="Lane"/>. Default <c>fanout</c>.</summary>
    public string LaneKey { get; set; } = "fanout";

    /// <summary>Gets or sets the clock for cell timeouts and durations; <see langword="null"/> for <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
