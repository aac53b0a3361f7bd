namespace Executus.Checkpoints;

/// <summary>Thrown when a run to resume or abandon has no checkpoint (it finished, was abandoned, or never saved one).</summary>
public sealed class CheckpointNotFoundException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public CheckpointNotFoundException()
        : this("No checkpoint was found.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public CheckpointNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the error that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CheckpointNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the run that has no checkpoint.</summary>
    public string? RunId { get; init; }

    /// <summary>Creates the exception for <paramref name="runId"/>.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The exception.</returns>
    public static CheckpointNotFoundException For(string runId) =>
        new($"Run '{runId}' has no checkpoint: it finished, was abandoned, or never saved one.") { RunId = runId };
}
