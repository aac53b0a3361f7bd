using Executus.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotHost.Http;

/// <summary>
/// The HTTP channel: a Kestrel server on <see cref="BotOptions.HttpUrl"/> (loopback by default) serving
/// <see cref="HttpApi"/>, started and stopped with the bot's host. It prints the address it listens on.
/// </summary>
internal sealed partial class HttpChannel : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _bot;
    private readonly BotOptions _options;
    private readonly ILogger<HttpChannel> _logger;
    private WebApplication? _app;

    public HttpChannel(IServiceProvider bot, BotOptions options, ILogger<HttpChannel> logger)
    {
        _bot = bot;
        _options = options;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var authenticator = new ApiKeyAuthenticator(_bot.GetRequiredService<IConfigSource>());
        if (authenticator.Count == 0)
        {
            LogNoCallers(_logger);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(_options.HttpUrl.ToString());
        builder.Logging.ClearProviders();

        // Why: the bot's own host handles Ctrl+C/SIGTERM; this inner server must not register a second console lifetime.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.AddSingleton(_bot.GetRequiredService<ILoggerFactory>());
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);
        // Why: a body that is not JSON or a query value of the wrong type answers a JSON error naming the parameter,
        // like every other refusal of this API, instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        WebApplication app = builder.Build();
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
            {
                // Why: parameters are bound before the key check runs; without a valid key the answer stays 401.
                IResult answer = http.Request.Path.StartsWithSegments("/api") && HttpApi.Authenticate(http.Request, authenticator) is null
                    ? HttpApi.Unauthorized(http)
                    : Results.Json(new { error = ex.Message }, statusCode: ex.StatusCode);
                await answer.ExecuteAsync(http);
            }
        });
        HttpApi.Map(app, _bot, authenticator);
        ConsoleAssets.Map(app);
        await app.StartAsync(cancellationToken);
        _app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? _options.HttpUrl.ToString();
        await Console.Out.WriteLineAsync($"HTTP API listening on {address}");
        await Console.Out.WriteLineAsync($"Operator console: {address.TrimEnd('/')}/console/");
        await Console.Out.FlushAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API callers are configured (BotHost:Callers): every HTTP request will get 401.")]
    private static partial void LogNoCallers(ILogger logger);
}
