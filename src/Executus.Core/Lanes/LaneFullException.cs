namespace Executus.Lanes;

/// <summary>Thrown by a fail-fast submission when the lane's queue already holds <see cref="MaxQueued"/> jobs.</summary>
public sealed class LaneFullException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public LaneFullException()
        : base("The lane is full.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public LaneFullException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LaneFullException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a lane.</summary>
    /// <param name="laneName">The lane's name.</param>
    /// <param name="maxConcurrency">The lane's concurrency limit.</param>
    /// <param name="maxQueued">The lane's queue limit.</param>
    public LaneFullException(string laneName, int maxConcurrency, int maxQueued)
        : base($"Lane '{laneName}' is full: {maxConcurrency} job(s) may run and {maxQueued} may wait, and both limits are reached.")
    {
        LaneName = laneName;
        MaxConcurrency = maxConcurrency;
        MaxQueued = maxQueued;
    }

    /// <summary>Gets the name of the lane that was full.</summary>
    public string? LaneName { get; }

    /// <summary>Gets the lane's concurrency limit.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Gets the lane's queue limit.</summary>
    public int MaxQueued { get; }
}
