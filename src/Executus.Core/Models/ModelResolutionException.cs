namespace Executus.Models;

/// <summary>
/// Thrown when a tier or model reference cannot be turned into a client: the tier is unknown or empty, a candidate is
/// malformed, or its provider is unknown. The message names the tier, the reference and the provider involved.
/// </summary>
public sealed class ModelResolutionException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ModelResolutionException()
        : this("A model could not be resolved.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ModelResolutionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelResolutionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance describing a resolution failure.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="message">The message.</param>
    /// <param name="tier">The tier being resolved, if any.</param>
    /// <param name="reference">The model reference text involved, if any.</param>
    /// <param name="provider">The provider name involved, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelResolutionException(
        ModelResolutionError error, string message, string? tier = null, string? reference = null, string? provider = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Tier = tier;
        Reference = reference;
        Provider = provider;
    }

    /// <summary>Gets what went wrong.</summary>
    public ModelResolutionError Error { get; }

    /// <summary>Gets the tier being resolved, or null when a single model reference was resolved.</summary>
    public string? Tier { get; }

    /// <summary>Gets the model reference text involved, if any.</summary>
    public string? Reference { get; }

    /// <summary>Gets the provider name involved, if any.</summary>
    public string? Provider { get; }
}
