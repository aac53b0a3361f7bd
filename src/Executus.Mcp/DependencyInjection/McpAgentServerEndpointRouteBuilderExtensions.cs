using Executus.Mcp;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the MCP agent server's streamable HTTP endpoint.</summary>
public static class McpAgentServerEndpointRouteBuilderExtensions
{
    /// <summary>Maps the streamable HTTP MCP endpoint at <paramref name="pattern"/>, behind the API-key check (a request
    /// without a known key gets 401 unless <see cref="McpAgentServerOptions.AllowAnonymous"/>). Needs
    /// <c>AddMcpAgentServer()</c>.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="pattern">The route, default <c>/mcp</c>.</param>
    /// <returns>The endpoint convention builder, to add more conventions.</returns>
    public static IEndpointConventionBuilder MapMcpAgentServer(this IEndpointRouteBuilder endpoints, string pattern = "/mcp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        return endpoints.MapMcp(pattern).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = McpAgentServer.AuthenticationScheme });
    }
}
