namespace Executus.Mcp;

/// <summary>An MCP server could not be started or reached: names the server and its command line or URL.</summary>
public sealed class McpServerException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="McpServerException"/> class.</summary>
    public McpServerException()
        : this("An MCP server failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="McpServerException"/> class.</summary>
    /// <param name="message">The message.</param>
    public McpServerException(string message)
        : base(message)
    {
        ServerName = string.Empty;
        Target = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="McpServerException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public McpServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ServerName = string.Empty;
        Target = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="McpServerException"/> class.</summary>
    /// <param name="serverName">The configured server name.</param>
    /// <param name="target">The command line (stdio) or URL (HTTP).</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public McpServerException(string serverName, string target, string message, Exception? innerException = null)
        : base($"MCP server '{serverName}' ({target}): {message}", innerException)
    {
        ServerName = serverName;
        Target = target;
    }

    /// <summary>Gets the configured server name.</summary>
    public string ServerName { get; }

    /// <summary>Gets the server's command line (stdio) or URL (HTTP).</summary>
    public string Target { get; }
}
