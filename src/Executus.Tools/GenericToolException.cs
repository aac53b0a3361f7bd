namespace Executus.Tools;

/// <summary>
/// Thrown by a generic tool for bad input or a refused action (bad URL, blocked address, missing key, unknown agent,
/// bad time zone…). Its message is written for the model: the run kernel's toolbox turns it into the tool result
/// <c>Error: tool '&lt;name&gt;' failed: &lt;message&gt;</c>.
/// </summary>
public sealed class GenericToolException : InvalidOperationException
{
    /// <summary>Initializes a new exception with a default message.</summary>
    public GenericToolException()
        : base("The tool could not complete the request.")
    {
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">A readable message naming what was wrong.</param>
    public GenericToolException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new exception with a message and its cause.</summary>
    /// <param name="message">A readable message naming what was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GenericToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
