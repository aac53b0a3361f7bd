using Anthropic;
using Anthropic.Core;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Providers.Anthropic;

/// <summary>
/// An <see cref="IModelProvider"/> for Claude through the official Anthropic SDK's <see cref="IChatClient"/> (the
/// Messages API, <c>POST /v1/messages</c>, server-sent events when streaming). One SDK client (one HTTP pipeline) is
/// shared by all its models.
/// </summary>
/// <remarks>
/// Failures keep the SDK's exceptions (<c>AnthropicRateLimitException</c>, <c>AnthropicUnauthorizedException</c>, …);
/// their <c>HttpStatusCode StatusCode</c> is what <see cref="DefaultTransientErrorClassifier"/> reads, and the response's
/// <c>Retry-After</c> header is copied into <c>exception.Data["Retry-After"]</c> so the failover client honours it.
/// </remarks>
public sealed class AnthropicModelProvider : IModelProvider
{
    private readonly Lazy<AnthropicClient> _client;

    /// <summary>Initializes a new provider.</summary>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="options">The key, address and SDK settings.</param>
    /// <exception cref="ConfigException">Neither an API key nor a base URL is given.</exception>
    public AnthropicModelProvider(string name, AnthropicProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetworkTimeout, TimeSpan.Zero, nameof(options));
        if (options.MaxOutputTokens is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey) && options.BaseUrl is null)
        {
            throw new ConfigException(
                $"{ModelProviderRegistry.ProvidersPrefix}{name}:ApiKey",
                null,
                $"an Anthropic API key (or set '{ModelProviderRegistry.ProvidersPrefix}{name}:BaseUrl' for a proxy that adds it)");
        }

        Name = name;
        Options = options;
        _client = new Lazy<AnthropicClient>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the settings.</summary>
    public AnthropicProviderOptions Options { get; }

    /// <inheritdoc />
    public IChatClient CreateChatClient(string modelId, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new AnthropicErrorMappingChatClient(_client.Value.AsIChatClient(modelId, Options.MaxOutputTokens));
    }

    private AnthropicClient CreateClient()
    {
#pragma warning disable CA2000 // Why: the handler chain is owned by the HttpClient, which lives as long as the provider.
        var http = new HttpClient(new RetryAfterHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
#pragma warning restore CA2000
        {
            // Why: the SDK enforces its own per-attempt Timeout; the HttpClient's must not cut in first.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        var options = new ClientOptions
        {
            HttpClient = http,
            MaxRetries = Options.MaxRetries,
            Timeout = Options.NetworkTimeout,
            // Why: a proxy BaseUrl may add the key itself; the SDK still wants a non-empty one.
            ApiKey = string.IsNullOrWhiteSpace(Options.ApiKey) ? "no-key" : Options.ApiKey,
        };
        if (Options.BaseUrl is not null)
        {
            options.BaseUrl = Options.BaseUrl.ToString().TrimEnd('/');
        }

        return new AnthropicClient(options);
    }
}
