using System.ClientModel;
using System.ClientModel.Primitives;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Executus.Providers.OpenAI;

/// <summary>
/// An <see cref="IModelProvider"/> for OpenAI or any OpenAI-compatible chat-completions endpoint, through
/// Microsoft.Extensions.AI.OpenAI. One <see cref="OpenAIClient"/> (one HTTP pipeline) is shared by all its models.
/// </summary>
/// <remarks>
/// Failures keep their <c>System.ClientModel.ClientResultException</c> (whose <c>Status</c> the default transient
/// classifier reads); the response's <c>Retry-After</c> header is copied into <c>exception.Data["Retry-After"]</c> so
/// the failover client honours it as the candidate's cool-down.
/// </remarks>
public sealed class OpenAIModelProvider : IModelProvider
{
    private readonly Lazy<OpenAIClient> _client;

    /// <summary>Initializes a new provider.</summary>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="options">The endpoint, key and SDK settings.</param>
    /// <exception cref="ConfigException">Neither an API key nor a base URL is given.</exception>
    public OpenAIModelProvider(string name, OpenAIProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetworkTimeout, TimeSpan.Zero, nameof(options));
        if (string.IsNullOrWhiteSpace(options.ApiKey) && options.BaseUrl is null)
        {
            throw new ConfigException(
                $"{ModelProviderRegistry.ProvidersPrefix}{name}:ApiKey",
                null,
                $"an API key (or set '{ModelProviderRegistry.ProvidersPrefix}{name}:BaseUrl' for a local OpenAI-compatible server)");
        }

        Name = name;
        Options = options;
        _client = new Lazy<OpenAIClient>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the settings.</summary>
    public OpenAIProviderOptions Options { get; }

    /// <inheritdoc />
    public IChatClient CreateChatClient(string modelId, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new RetryAfterCapturingChatClient(_client.Value.GetChatClient(modelId).AsIChatClient(), Options.BaseUrl);
    }

    private OpenAIClient CreateClient()
    {
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(Options.MaxRetries),
            NetworkTimeout = Options.NetworkTimeout,
        };
        if (Options.BaseUrl is not null)
        {
            clientOptions.Endpoint = Options.BaseUrl;
        }

        // Why: OpenAI-compatible local servers accept any key but the SDK requires a non-empty one.
        string key = string.IsNullOrWhiteSpace(Options.ApiKey) ? "no-key" : Options.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions);
    }
}
