namespace Executus.Mcp;

/// <summary>A call of an MCP tool failed: the server answered with an error, timed out or went away. The run's model
/// sees the message as the tool's readable error.</summary>
public sealed class McpToolException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="McpToolException"/> class.</summary>
    public McpToolException()
        : this("An MCP tool call failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="McpToolException"/> class.</summary>
    /// <param name="message">The message.</param>
    public McpToolException(string message)
        : base(message)
    {
        ServerName = string.Empty;
        ToolName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="McpToolException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public McpToolException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ServerName = string.Empty;
        ToolName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="McpToolException"/> class.</summary>
    /// <param name="serverName">The configured server name.</param>
    /// <param name="toolName">The server's own name of the tool.</param>
    /// <param name="message">What went wrong, for the model.</param>
    /// <param name="innerException">The cause.</param>
    public McpToolException(string serverName, string toolName, string message, Exception? innerException = null)
        : base($"MCP server '{serverName}', tool '{toolName}': {message}", innerException)
    {
        ServerName = serverName;
        ToolName = toolName;
    }

    /// <summary>Gets the configured server name.</summary>
    public string ServerName { get; }

    /// <summary>Gets the server's own name of the tool.</summary>
    public string ToolName { get; }
}
