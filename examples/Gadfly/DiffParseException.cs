namespace Gadfly;

/// <summary>Thrown when the input is not a unified diff Gadfly can read; the message names the line and what was wrong.</summary>
public sealed class DiffParseException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public DiffParseException()
        : base("The input is not a valid unified diff.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public DiffParseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DiffParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance naming the 1-based input line at fault.</summary>
    /// <param name="lineNumber">The input line.</param>
    /// <param name="message">What was wrong.</param>
    public DiffParseException(int lineNumber, string message)
        : base($"Malformed diff at input line {lineNumber}: {message}")
    {
        LineNumber = lineNumber;
    }

    /// <summary>Gets the 1-based input line at fault, or 0 when the problem is the input as a whole.</summary>
    public int LineNumber { get; }
}
