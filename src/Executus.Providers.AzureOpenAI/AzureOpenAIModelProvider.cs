using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Executus.Configuration;
using Executus.Models;
using Executus.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Executus.Providers.AzureOpenAI;

/// <summary>
/// An <see cref="IModelProvider"/> for an Azure OpenAI resource: <c>POST {Endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// with the <c>api-key</c> header, through Azure.AI.OpenAI's <see cref="AzureOpenAIClient"/> and Microsoft.Extensions.AI.OpenAI.
/// The model id of a reference is the deployment name.
/// </summary>
/// <remarks>
/// Failures keep their <c>System.ClientModel.ClientResultException</c>, with the <c>Retry-After</c> header copied into
/// <c>exception.Data["Retry-After"]</c> exactly as the OpenAI provider does.
/// </remarks>
public sealed class AzureOpenAIModelProvider : IModelProvider
{
    private readonly Lazy<AzureOpenAIClient> _client;

    /// <summary>Initializes a new provider.</summary>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="options">The endpoint, key and SDK settings.</param>
    /// <exception cref="ConfigException">The endpoint or the key is missing, or the API version is malformed.</exception>
    public AzureOpenAIModelProvider(string name, AzureOpenAIProviderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetworkTimeout, TimeSpan.Zero, nameof(options));
        string prefix = ModelProviderRegistry.ProvidersPrefix + name + ":";
        if (options.Endpoint is null)
        {
            throw new ConfigException(prefix + "Endpoint", null, "the Azure OpenAI resource endpoint, e.g. 'https://my-resource.openai.azure.com/'");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ConfigException(prefix + "ApiKey", null, "the Azure OpenAI resource key");
        }

        if (!AzureOpenAIModelProviderFactory.IsApiVersion(options.ApiVersion))
        {
            throw new ConfigException(prefix + "ApiVersion", options.ApiVersion, "an Azure OpenAI API version such as '2024-10-21' or '2025-01-01-preview'");
        }

        Name = name;
        Options = options;
        _client = new Lazy<AzureOpenAIClient>(CreateClient, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the settings.</summary>
    public AzureOpenAIProviderOptions Options { get; }

    /// <inheritdoc />
    public IChatClient CreateChatClient(string modelId, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new RetryAfterCapturingChatClient(_client.Value.GetChatClient(modelId).AsIChatClient());
    }

    private AzureOpenAIClient CreateClient()
    {
        var clientOptions = new AzureOpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(Options.MaxRetries),
            NetworkTimeout = Options.NetworkTimeout,
        };
        clientOptions.AddPolicy(new ApiVersionPolicy(Options.ApiVersion), PipelinePosition.PerCall);
        return new AzureOpenAIClient(Options.Endpoint, new ApiKeyCredential(Options.ApiKey!), clientOptions);
    }
}
