namespace Executus.Lanes;

/// <summary>Thrown when a job is submitted to a lane that is shutting down, or was waiting for room when it began to.</summary>
public sealed class LaneClosedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public LaneClosedException()
        : base("The lane is shutting down and accepts no more jobs.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public LaneClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LaneClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a named lane.</summary>
    /// <param name="laneName">The lane's name.</param>
    /// <returns>The exception.</returns>
    internal static LaneClosedException For(string laneName) =>
        new($"Lane '{laneName}' is shutting down and accepts no more jobs.") { LaneName = laneName };

    /// <summary>Gets the name of the lane that was closed.</summary>
    public string? LaneName { get; private init; }
}
