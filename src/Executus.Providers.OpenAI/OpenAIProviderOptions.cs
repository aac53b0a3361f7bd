namespace Executus.Providers.OpenAI;

/// <summary>
/// Settings of one OpenAI or OpenAI-compatible provider, read from <c>Executus:Providers:{name}:*</c>
/// (<c>BaseUrl</c>, <c>ApiKey</c>, <c>MaxRetries</c>, <c>NetworkTimeout</c>) and adjustable in code.
/// </summary>
public sealed class OpenAIProviderOptions
{
    /// <summary>
    /// Gets or sets the endpoint, e.g. <c>http://localhost:11434/v1</c> (Ollama), <c>http://localhost:8000/v1</c> (vLLM)
    /// or <c>http://localhost:8080/v1</c> (llama.cpp server); null for OpenAI itself.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>
    /// Gets or sets the API key. Required for OpenAI itself; for a custom <see cref="BaseUrl"/> it may be omitted
    /// (local servers usually ignore it) and a placeholder is sent.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets how many times the OpenAI SDK itself retries a failed request (default 0). Why 0: Executus's
    /// <c>ModelFailoverChatClient</c> owns retrying; the SDK's own policy would wait out a 429's <c>Retry-After</c> (seconds)
    /// on the same model before the failover could move to the next candidate.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the SDK's network timeout per request (default 100 seconds); a timeout fails over.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
