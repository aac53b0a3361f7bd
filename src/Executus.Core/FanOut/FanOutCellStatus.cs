namespace Executus.Fanout;

/// <summary>How one cell of a fan-out ended.</summary>
public enum FanOutCellStatus
{
    /// <summary>The cell returned a value.</summary>
    Succeeded,

    /// <summary>The cell threw; <see cref="FanOutCell{T}.Error"/> holds the exception.</summary>
    Failed,

    /// <summary>The cell ran past <see cref="FanOutOptions.CellTimeout"/>; the error is a <see cref="TimeoutException"/>.</summary>
    TimedOut,

    /// <summary>
    /// The cell was stopped, or never started, because the fan-out stopped early (fail-fast or quorum reached).
    /// </summary>
    Cancelled,
}
