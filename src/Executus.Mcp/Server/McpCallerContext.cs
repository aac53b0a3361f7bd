namespace Executus.Mcp;

/// <summary>
/// What the MCP agent server knows about the session a run came from; passed as <c>RunRequest.CallerContext</c>, so an
/// <see cref="Identity.ICallerIdentityResolver"/> can map a stdio session to a caller when no identity is configured.
/// </summary>
public sealed record McpCallerContext
{
    /// <summary>Gets the transport: <c>stdio</c>, <c>stream</c> or <c>http</c>.</summary>
    public required string Transport { get; init; }

    /// <summary>Gets the MCP session id, when the transport has one.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the client's self-reported name (from <c>initialize</c>).</summary>
    public string? ClientName { get; init; }

    /// <summary>Gets the client's self-reported version.</summary>
    public string? ClientVersion { get; init; }

    /// <summary>Gets the MCP tool called (the agent's tool name).</summary>
    public required string ToolName { get; init; }
}
