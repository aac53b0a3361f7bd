using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Executus.Batteries.Budget;
using Executus.Identity;
using Executus.Skills;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace BotHost.Http;

/// <summary>
/// The HTTP API. Every route needs an API key (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>); a request
/// without a valid one gets 401 before anything runs, so it costs nothing. Every answer is about the calling caller
/// only. Commands are the console's words: <c>POST /api/commands</c> takes one, the read routes are commands too.
/// </summary>
internal static class HttpApi
{
    private static readonly JsonSerializerOptions SseJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static bool IsCallerError(Exception ex) =>
        ex is BotCommandException or SkillLifecycleException or SkillNotFoundException or Executus.Personas.PersonaAccessDeniedException or ArgumentException;

    public static void Map(IEndpointRouteBuilder app, IServiceProvider bot, ApiKeyAuthenticator authenticator)
    {
        ChatService chat = bot.GetRequiredService<ChatService>();
        CommandProcessor commands = bot.GetRequiredService<CommandProcessor>();
        Inbox inbox = bot.GetRequiredService<Inbox>();

        RouteGroupBuilder api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            if (Authenticate(context.HttpContext.Request, authenticator) is not { } caller)
            {
                return Unauthorized(context.HttpContext);
            }

            context.HttpContext.Items[typeof(CallerIdentity)] = caller;
            return await next(context);
        });

        api.MapPost("/chat", async (HttpContext http, ChatRequest body) =>
        {
            CallerIdentity caller = Caller(http);
            if (string.IsNullOrWhiteSpace(body.Message))
            {
                return Results.Json(new { error = "message is required" }, statusCode: 400);
            }

            if (body.Persona is { Length: > 0 } persona)
            {
                IResult? refused = await CommandAsync(commands, caller, "/persona " + persona, http.RequestAborted);
                if (refused is not null)
                {
                    return refused;
                }
            }

            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            if (CommandProcessor.IsCommand(body.Message))
            {
                try
                {
                    CommandResult result = await commands.ExecuteAsync(caller, body.Message, http.RequestAborted);
                    await WriteEventAsync(http.Response, "command", new { text = result.Text, data = result.Data }, http.RequestAborted);
                }
                catch (Exception ex) when (IsCallerError(ex))
                {
                    await WriteEventAsync(http.Response, "error", new { error = ex.Message }, http.RequestAborted);
                }

                return Results.Empty;
            }

            try
            {
                await foreach (RunEventView view in chat.ChatAsync(caller, body.Message, http.RequestAborted))
                {
                    await WriteEventAsync(http.Response, view.Type, view, http.RequestAborted);
                }
            }
            catch (Exception ex) when (IsCallerError(ex))
            {
                await WriteEventAsync(http.Response, "error", new { error = ex.Message }, http.RequestAborted);
            }

            return Results.Empty;
        });

        api.MapPost("/commands", async (HttpContext http, CommandRequest body, CancellationToken cancellationToken) =>
            await ReadAsync(commands, Caller(http), body.Command ?? "/help", cancellationToken));
        api.MapGet("/runs", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/runs", cancellationToken));
        api.MapGet("/runs/{id}", async (HttpContext http, string id) =>
            await commands.RunViewAsync(Caller(http), id, http.RequestAborted) is { } view ? Results.Ok(view) : Results.NotFound(new { error = $"you have no run '{id}'" }));
        api.MapGet("/audit", async (HttpContext http, string? kind, string? tool, string? run, string? outcome, int? limit) =>
        {
            var line = new StringBuilder("/audit");
            foreach ((string name, string? value) in (ReadOnlySpan<(string, string?)>)[("kind", kind), ("tool", tool), ("run", run), ("outcome", outcome), ("limit", limit?.ToString(CultureInfo.InvariantCulture))])
            {
                if (!string.IsNullOrWhiteSpace(value))
                {
                    line.Append(' ').Append(name).Append('=').Append(value.Replace(' ', '_'));
                }
            }

            return await ReadAsync(commands, Caller(http), line.ToString(), http.RequestAborted);
        });
        api.MapGet("/budget", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/spend", cancellationToken));
        api.MapGet("/personas", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/personas", cancellationToken));
        api.MapGet("/skills", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/skills", cancellationToken));
        api.MapGet("/skills/{name}/versions", async (HttpContext http, string name, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/skill versions " + name, cancellationToken));
        api.MapGet("/schedules", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/schedules", cancellationToken));
        api.MapGet("/interrupted", async (HttpContext http, CancellationToken cancellationToken) => await ReadAsync(commands, Caller(http), "/interrupted", cancellationToken));
        api.MapGet("/inbox", (HttpContext http) => Results.Ok(inbox.List(Caller(http).Id)));
        ConsoleApi.Map(api, bot, authenticator);
    }

    private static async Task<IResult> ReadAsync(CommandProcessor commands, CallerIdentity caller, string line, CancellationToken cancellationToken) =>
        (await CommandAsync(commands, caller, line, cancellationToken, asResult: true))!;

    /// <summary>The caller whose key the request carries (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key</c>), or null.</summary>
    internal static CallerIdentity? Authenticate(HttpRequest request, ApiKeyAuthenticator authenticator)
    {
        string? key = request.Headers.Authorization.ToString() is { Length: > 7 } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? auth[7..].Trim()
            : request.Headers["X-Api-Key"].ToString();
        return authenticator.Authenticate(key);
    }

    internal static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { error = "a valid API key is required (Authorization: Bearer KEY or X-Api-Key: KEY)" }, statusCode: StatusCodes.Status401Unauthorized);
    }

    internal static CallerIdentity Caller(HttpContext http) => (CallerIdentity)http.Items[typeof(CallerIdentity)]!;

    private static async Task<IResult?> CommandAsync(CommandProcessor commands, CallerIdentity caller, string line, CancellationToken cancellationToken, bool asResult = false)
    {
        try
        {
            CommandResult result = await commands.ExecuteAsync(caller, line, cancellationToken);
            return asResult ? Results.Ok(new { text = result.Text, data = result.Data }) : null;
        }
        catch (Exception ex) when (IsCallerError(ex))
        {
            return Results.Json(new { error = ex.Message }, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, object data, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(data, data.GetType(), SseJson);
        await response.WriteAsync($"event: {type}\ndata: {json}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    internal sealed record ChatRequest(string? Message, string? Persona);

    internal sealed record CommandRequest(string? Command);
}
