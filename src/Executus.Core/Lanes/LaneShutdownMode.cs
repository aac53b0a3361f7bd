namespace Executus.Lanes;

/// <summary>What a lane does with queued (not yet started) jobs when it shuts down. Running jobs always finish.</summary>
public enum LaneShutdownMode
{
    /// <summary>Run every queued job before the shutdown completes.</summary>
    Drain,

    /// <summary>Cancel every queued job: its task ends <see cref="TaskStatus.Canceled"/>.</summary>
    CancelQueued,
}
