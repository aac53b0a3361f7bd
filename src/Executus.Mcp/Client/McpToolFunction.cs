using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Mcp;

/// <summary>The <see cref="AIFunction"/> registered for one MCP tool: calls go to its server's current session.</summary>
internal sealed class McpToolFunction : AIFunction
{
    public McpToolFunction(McpServerConnection connection, string name, string mcpName, string? description, JsonElement schema)
    {
        Connection = connection;
        Name = name;
        McpName = mcpName;
        Description = description ?? string.Empty;
        JsonSchema = schema;
    }

    public McpServerConnection Connection { get; }

    /// <summary>Gets the server's own name of the tool.</summary>
    public string McpName { get; }

    /// <summary>Gets or sets whether the server no longer offers the tool (a registry that cannot remove keeps it).</summary>
    public bool Withdrawn { get; set; }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema { get; }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (Withdrawn)
        {
            throw new McpToolException(Connection.Name, McpName, "the server no longer offers this tool.");
        }

        return await Connection.CallToolAsync(McpName, arguments, cancellationToken).ConfigureAwait(false);
    }
}
