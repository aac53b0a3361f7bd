namespace Executus.Runs;

/// <summary>
/// Thrown by a checkpointer when another host has taken the run over (this host missed its lease's heartbeats and the
/// other host resumed the run). It is the one checkpoint failure that ends a run: the kernel stops it at once (the
/// kernel saves before every tool call with side effects, so none runs after the takeover is seen), as <see cref="RunOutcome.Stopped"/>; it neither delivers nor ends the run's checkpoint, which
/// are the other host's now.
/// </summary>
public sealed class RunOwnershipLostException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public RunOwnershipLostException()
        : this("Another host took the run over.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What happened.</param>
    public RunOwnershipLostException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public RunOwnershipLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the run another host took over, when known.</summary>
    public string? RunId { get; init; }
}
