namespace Executus.Providers.Ollama;

/// <summary>
/// Settings of one Ollama provider, read from <c>Executus:Providers:{name}:*</c> (<c>BaseUrl</c>, <c>ApiKey</c>,
/// <c>NetworkTimeout</c>) and adjustable in code.
/// </summary>
public sealed class OllamaProviderOptions
{
    /// <summary>The default server address: <c>http://localhost:11434</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://localhost:11434");

    /// <summary>Gets or sets the server address (default <see cref="DefaultBaseUrl"/>); the native API lives under <c>/api/</c>.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>
    /// Gets or sets an API key sent as <c>Authorization: Bearer</c>; null (the default) for a local server, which needs
    /// none. Set it for Ollama behind an authenticating proxy or a hosted Ollama.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the time allowed for one request, including reading a streamed answer (default 5 minutes: a local
    /// model may first have to load). A timeout is transient: the failover client moves to the next candidate.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
