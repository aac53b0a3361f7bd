namespace Executus.Providers.Anthropic;

/// <summary>
/// Settings of one Anthropic provider, read from <c>Executus:Providers:{name}:*</c> (<c>ApiKey</c>, <c>BaseUrl</c>,
/// <c>MaxOutputTokens</c>, <c>MaxRetries</c>, <c>NetworkTimeout</c>) and adjustable in code.
/// </summary>
public sealed class AnthropicProviderOptions
{
    /// <summary>Gets or sets the API key (sent as <c>x-api-key</c>). Required unless <see cref="BaseUrl"/> points at a proxy that adds it.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the API address; null for Anthropic's own (<c>https://api.anthropic.com</c>).</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Gets or sets the <c>max_tokens</c> sent when a request sets no <c>ChatOptions.MaxOutputTokens</c> (the Messages API
    /// requires one); null for the SDK's default.
    /// </summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>
    /// Gets or sets how many times the SDK itself retries (default 0). Why 0: Executus's <c>ModelFailoverChatClient</c>
    /// owns retrying and honours <c>Retry-After</c> as a cool-down instead of waiting on the same model.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the time allowed for one request (default 10 minutes); a timeout fails over.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
