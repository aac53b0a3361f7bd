namespace Executus.Net;

/// <summary>Thrown by the safe HTTP client when a request, a redirect hop or a connection is refused by the SSRF guard.</summary>
public sealed class SsrfBlockedException : HttpRequestException
{
    /// <summary>Initializes a new exception for <paramref name="decision"/>.</summary>
    /// <param name="decision">The blocking decision.</param>
    public SsrfBlockedException(SsrfDecision decision)
        : base($"Request blocked by the SSRF guard: {decision?.Detail}")
    {
        ArgumentNullException.ThrowIfNull(decision);
        Decision = decision;
    }

    /// <summary>Initializes a new exception with a message, recorded as a <see cref="SsrfBlockReason.Redirect"/> refusal.</summary>
    /// <param name="message">The message.</param>
    public SsrfBlockedException(string message)
        : base(message)
    {
        Decision = SsrfDecision.Block(SsrfBlockReason.Redirect, message);
    }

    /// <summary>Initializes a new exception with a default message.</summary>
    public SsrfBlockedException()
        : this("Request blocked by the SSRF guard.")
    {
    }

    /// <summary>Initializes a new exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public SsrfBlockedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Decision = SsrfDecision.Block(SsrfBlockReason.Redirect, message);
    }

    /// <summary>Gets the guard's decision.</summary>
    public SsrfDecision Decision { get; }
}
