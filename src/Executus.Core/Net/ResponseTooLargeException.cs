namespace Executus.Net;

/// <summary>Thrown by the safe HTTP client when a response body exceeds <see cref="SsrfOptions.MaxResponseBytes"/>.</summary>
public sealed class ResponseTooLargeException : IOException
{
    /// <summary>Initializes a new exception for a body over <paramref name="limit"/> bytes.</summary>
    /// <param name="limit">The limit in bytes.</param>
    public ResponseTooLargeException(long limit)
        : base(FormattableString.Invariant($"The response body exceeds the limit of {limit} bytes."))
    {
        Limit = limit;
    }

    /// <summary>Initializes a new exception with a default message.</summary>
    public ResponseTooLargeException()
        : base("The response body exceeds the limit.")
    {
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the limit in bytes, or 0 when unknown.</summary>
    public long Limit { get; }
}
