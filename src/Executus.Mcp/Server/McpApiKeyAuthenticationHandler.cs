using System.Security.Claims;
using System.Text.Encodings.Web;
using Executus.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Executus.Mcp;

/// <summary>The HTTP endpoint's API-key check: <c>Authorization: Bearer {key}</c> or <c>X-Api-Key: {key}</c>, mapped to a
/// caller by <see cref="McpAgentServer.AuthenticateApiKey(string?)"/>.</summary>
internal sealed class McpApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    McpAgentServer server)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers["X-Api-Key"].FirstOrDefault();
        if (string.IsNullOrEmpty(key) && Request.Headers.Authorization.FirstOrDefault() is { } authorization &&
            authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        CallerIdentity? caller = server.AuthenticateApiKey(key);
        if (caller is null)
        {
            return Task.FromResult(string.IsNullOrEmpty(key) ? AuthenticateResult.NoResult() : AuthenticateResult.Fail("The API key is not known."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new McpCallerPrincipal(caller)), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsync("This MCP server needs an API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.").ConfigureAwait(false);
    }
}
