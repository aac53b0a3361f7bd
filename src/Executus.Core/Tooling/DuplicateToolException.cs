namespace Executus.Tooling;

/// <summary>Thrown when a tool is registered under a name the registry already holds.</summary>
public sealed class DuplicateToolException : InvalidOperationException
{
    /// <summary>Initializes a new exception for <paramref name="toolName"/>.</summary>
    /// <param name="toolName">The duplicated name.</param>
    /// <param name="existingCategory">The category of the tool already registered, if any.</param>
    public DuplicateToolException(string toolName, string? existingCategory)
        : base($"A tool named '{toolName}' is already registered{(existingCategory is null ? string.Empty : $" (category '{existingCategory}')")}; tool names must be unique.")
    {
        ToolName = toolName;
    }

    /// <summary>Initializes a new exception with a default message.</summary>
    public DuplicateToolException()
        : base("A tool with this name is already registered.")
    {
        ToolName = string.Empty;
    }

    /// <summary>Initializes a new exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DuplicateToolException(string message)
        : base(message)
    {
        ToolName = string.Empty;
    }

    /// <summary>Initializes a new exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public DuplicateToolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ToolName = string.Empty;
    }

    /// <summary>Gets the duplicated tool name.</summary>
    public string ToolName { get; }
}
