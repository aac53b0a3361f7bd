using System.Security.Claims;
using Executus.Identity;

namespace Executus.Mcp;

/// <summary>Carries the <see cref="CallerIdentity"/> an API key maps to, as the HTTP request's user, into the MCP session.</summary>
internal sealed class McpCallerPrincipal : ClaimsIdentity
{
    public const string AuthenticationTypeName = "Executus.Mcp.ApiKey";

    public McpCallerPrincipal(CallerIdentity caller)
        : base(
            [
                new Claim(ClaimTypes.NameIdentifier, caller.Id),
                new Claim(ClaimTypes.Name, caller.DisplayName),
                .. caller.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
                .. caller.Scopes.Select(s => new Claim("scope", s)),
            ],
            AuthenticationTypeName)
    {
        Caller = caller;
    }

    public CallerIdentity Caller { get; }

    /// <summary>The caller of an MCP request: ours from the API-key check, or one built from another authentication
    /// scheme's claims (name identifier, roles, space-separated <c>scope</c>), or <see langword="null"/>.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? user)
    {
        if (user is null)
        {
            return null;
        }

        if (user.Identities.OfType<McpCallerPrincipal>().FirstOrDefault() is { } ours)
        {
            return ours.Caller;
        }

        if (user.Identity?.IsAuthenticated != true || user.FindFirst(ClaimTypes.NameIdentifier)?.Value is not { Length: > 0 } id)
        {
            return null;
        }

        return new CallerIdentity(
            id,
            user.Identity.Name ?? id,
            tenantKey: null,
            roles: user.FindAll(ClaimTypes.Role).Select(c => c.Value),
            scopes: user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }
}
