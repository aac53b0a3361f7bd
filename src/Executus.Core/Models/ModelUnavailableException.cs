namespace Executus.Models;

/// <summary>
/// Thrown by <see cref="ModelFailoverChatClient"/> when no candidate could answer: every candidate failed with a transient
/// error or is cooling down. The failures are kept in order; <see cref="Exception.InnerException"/> is the last one.
/// </summary>
public sealed class ModelUnavailableException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ModelUnavailableException()
        : this("No model candidate is available.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance describing the failed attempts.</summary>
    /// <param name="message">The message.</param>
    /// <param name="tier">The tier, if known.</param>
    /// <param name="failures">The transient failure of each candidate tried, in order.</param>
    /// <param name="skipped">The candidates skipped because they were cooling down.</param>
    /// <param name="retryAfter">How long until the first cooling candidate becomes available again, if any is cooling.</param>
    public ModelUnavailableException(
        string message, string? tier, IReadOnlyList<KeyValuePair<string, Exception>> failures, IReadOnlyList<string> skipped, TimeSpan? retryAfter)
        : base(message, failures?.Count > 0 ? failures[^1].Value : null)
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(skipped);
        Tier = tier;
        Failures = failures;
        Skipped = skipped;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the tier, if known.</summary>
    public string? Tier { get; }

    /// <summary>Gets each candidate tried (by name) with its transient failure, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, Exception>> Failures { get; } = [];

    /// <summary>Gets the candidates skipped because they were cooling down.</summary>
    public IReadOnlyList<string> Skipped { get; } = [];

    /// <summary>Gets how long until the first cooling candidate is available again, when any is cooling.</summary>
    public TimeSpan? RetryAfter { get; }
}
