namespace Executus.Providers.AzureOpenAI;

/// <summary>
/// Settings of one Azure OpenAI resource, read from <c>Executus:Providers:{name}:*</c> (<c>Endpoint</c>, <c>ApiKey</c>,
/// <c>ApiVersion</c>, <c>MaxRetries</c>, <c>NetworkTimeout</c>) and adjustable in code. The model id of a reference
/// (<c>azure:my-gpt4o</c>) is the deployment name.
/// </summary>
public sealed class AzureOpenAIProviderOptions
{
    /// <summary>The default REST API version: <c>2024-10-21</c> (the newest GA version Azure.AI.OpenAI 2.1 knows).</summary>
    public const string DefaultApiVersion = "2024-10-21";

    /// <summary>Gets or sets the resource endpoint, e.g. <c>https://my-resource.openai.azure.com/</c>. Required.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the resource key (sent as <c>api-key</c>). Required.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the <c>api-version</c> query value (default <see cref="DefaultApiVersion"/>), e.g. <c>2025-01-01-preview</c>.</summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Gets or sets how many times the SDK itself retries (default 0: the failover client owns retrying).</summary>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the SDK's network timeout per request (default 100 seconds); a timeout fails over.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
