namespace Executus.Mcp;

/// <summary>When an MCP server's process (or HTTP session) is started.</summary>
public enum McpServerStartMode
{
    /// <summary>At host start (or on the first <see cref="McpServerManager.StartAsync(CancellationToken)"/>): its tools are listed and registered then.</summary>
    Eager,

    /// <summary>
    /// At the first call of one of its tools. The tools named under <see cref="McpServerDefinition.Tools"/> are registered
    /// at once with a loose object schema; the server's real list (names, descriptions and schemas) replaces them when it
    /// has started.
    /// </summary>
    Lazy,
}
