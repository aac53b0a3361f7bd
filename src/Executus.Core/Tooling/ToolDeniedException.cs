namespace Executus.Tooling;

/// <summary>
/// Set as <see cref="Microsoft.Extensions.AI.FunctionResultContent.Exception"/> on the result of a tool call that a
/// permission stage refused, so the run kernel counts it as a failed call. It is never thrown out of a run.
/// </summary>
public sealed class ToolDeniedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ToolDeniedException()
        : base("The tool call was denied.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ToolDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ToolDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a denial.</summary>
    /// <param name="denial">The denial.</param>
    public ToolDeniedException(ToolDenial denial)
        : base((denial ?? throw new ArgumentNullException(nameof(denial))).ToToolError())
    {
        Denial = denial;
    }

    /// <summary>Gets the denial: stage, code, tool and reason.</summary>
    public ToolDenial? Denial { get; }
}
