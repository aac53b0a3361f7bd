namespace Executus.Net;

/// <summary>
/// The default <see cref="ISafeHttpClientFactory"/>: one shared <see cref="SsrfProtectionHandler"/> (and connection
/// pool); each client has <see cref="HttpClient.Timeout"/> and <see cref="HttpClient.MaxResponseContentBufferSize"/>
/// set from <see cref="SsrfOptions"/>.
/// </summary>
public sealed class SafeHttpClientFactory : ISafeHttpClientFactory, IDisposable
{
    private readonly SsrfProtectionHandler _handler;
    private readonly SsrfOptions _options;

    /// <summary>Initializes a factory.</summary>
    /// <param name="options">Allow-lists and caps; <see langword="null"/> for defaults.</param>
    /// <param name="resolver">The resolver; <see langword="null"/> for <see cref="DnsHostResolver"/>.</param>
    /// <param name="timeProvider">The time source; <see langword="null"/> for the system clock.</param>
    public SafeHttpClientFactory(SsrfOptions? options = null, IHostResolver? resolver = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new SsrfOptions();
        _handler = new SsrfProtectionHandler(_options, resolver, timeProvider);
    }

    /// <inheritdoc />
    public SsrfGuard Guard => _handler.Guard;

    /// <inheritdoc />
    public HttpClient CreateClient() => new(_handler, disposeHandler: false)
    {
        // Why: the handler enforces the time cap with the injected TimeProvider; this is the outer safety net
        // that also covers reading the body.
        Timeout = _options.Timeout + TimeSpan.FromSeconds(1),
        MaxResponseContentBufferSize = Math.Min(_options.MaxResponseBytes, int.MaxValue),
    };

    /// <inheritdoc />
    public void Dispose() => _handler.Dispose();
}
