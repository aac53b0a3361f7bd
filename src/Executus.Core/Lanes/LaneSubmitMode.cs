namespace Executus.Lanes;

/// <summary>What <see cref="Lane.SubmitAsync{T}"/> does when the lane's queue is full.</summary>
public enum LaneSubmitMode
{
    /// <summary>Wait asynchronously (back-pressure) until the queue has room or the caller cancels.</summary>
    Wait,

    /// <summary>Fail at once with <see cref="LaneFullException"/>.</summary>
    FailFast,
}
