using System.Net.Http.Headers;
using Executus.Models;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace Executus.Providers.Ollama;

/// <summary>
/// An <see cref="IModelProvider"/> for an Ollama server's native chat API (<c>POST /api/chat</c>, NDJSON streaming),
/// through OllamaSharp's <see cref="IChatClient"/>. One <see cref="HttpClient"/> (one connection pool) is shared by all
/// its models.
/// </summary>
/// <remarks>
/// An HTTP error surfaces as an <see cref="HttpRequestException"/> with its status code, Ollama's error message and the
/// <c>Retry-After</c> header in <c>exception.Data["Retry-After"]</c>, so the failover client classifies 429/5xx as
/// transient and 4xx as permanent; a timeout surfaces as a <see cref="TaskCanceledException"/> (transient).
/// </remarks>
public sealed class OllamaModelProvider : IModelProvider
{
    private readonly Lazy<HttpClient> _http;

    /// <summary>Initializes a new provider.</summary>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="options">The server address and settings.</param>
    public OllamaModelProvider(string name, OllamaProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseUrl, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetworkTimeout, TimeSpan.Zero, nameof(options));
        Name = name;
        Options = options;
        _http = new Lazy<HttpClient>(CreateHttpClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the settings.</summary>
    public OllamaProviderOptions Options { get; }

    /// <inheritdoc />
    public IChatClient CreateChatClient(string modelId, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new SharedHttpChatClient(new OllamaApiClient(_http.Value, modelId));
    }

    private HttpClient CreateHttpClient()
    {
#pragma warning disable CA2000 // Why: the handler chain is owned by the HttpClient, which lives as long as the provider.
        var client = new HttpClient(new OllamaStatusHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
#pragma warning restore CA2000
        {
            BaseAddress = Options.BaseUrl,
            Timeout = Options.NetworkTimeout,
        };
        if (!string.IsNullOrWhiteSpace(Options.ApiKey))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Options.ApiKey);
        }

        return client;
    }

    /// <summary>Keeps the shared <see cref="HttpClient"/> alive when one model's client is disposed.</summary>
    private sealed class SharedHttpChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
    {
        #pragma warning disable CA2215 // Why: OllamaApiClient.Dispose would dispose the HttpClient every model of this provider shares.
        protected override void Dispose(bool disposing)
        {
        }
        #pragma warning restore CA2215
    }
}
