using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Executus.Net;

/// <summary>
/// An HTTP handler that enforces the <see cref="SsrfGuard"/> on every request: it checks the URL (resolving names
/// through an <see cref="IHostResolver"/>) before sending, follows redirects itself and re-checks every hop, caps
/// redirects, response bytes and total time, and — through <see cref="CreateSocketsHandler"/>'s
/// <see cref="SocketsHttpHandler.ConnectCallback"/> — checks the address actually connected to, so DNS rebinding
/// between the check and the connection is caught.
/// </summary>
/// <remarks>
/// HTTP/3 is never used (QUIC connections do not pass through the connect callback): an HTTP/3-only request is
/// refused and any request that could upgrade to it is capped at HTTP/2. Refusals throw <see cref="SsrfBlockedException"/>; an oversized body throws <see cref="ResponseTooLargeException"/>
/// while it is read; the time cap throws <see cref="TimeoutException"/>. Use <see cref="SafeHttpClientFactory"/> to get
/// a configured <see cref="HttpClient"/>.
/// </remarks>
public sealed class SsrfProtectionHandler : DelegatingHandler
{
    private readonly SsrfGuard _guard;
    private readonly SsrfOptions _options;
    private readonly IHostResolver _resolver;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a handler over a new <see cref="SocketsHttpHandler"/> from <see cref="CreateSocketsHandler"/>.</summary>
    /// <param name="options">Allow-lists and caps; <see langword="null"/> for defaults.</param>
    /// <param name="resolver">The resolver; <see langword="null"/> for <see cref="DnsHostResolver"/>.</param>
    /// <param name="timeProvider">The time source for the time cap; <see langword="null"/> for the system clock.</param>
    public SsrfProtectionHandler(SsrfOptions? options = null, IHostResolver? resolver = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new SsrfOptions();
        _guard = new SsrfGuard(_options);
        _resolver = resolver ?? DnsHostResolver.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        InnerHandler = CreateSocketsHandler(_guard, _resolver);
    }

    /// <summary>Gets the guard this handler enforces.</summary>
    public SsrfGuard Guard => _guard;

    /// <summary>
    /// Creates a <see cref="SocketsHttpHandler"/> whose connect callback resolves the host with
    /// <paramref name="resolver"/>, refuses blocked addresses, connects, and re-checks the connected remote address.
    /// Automatic redirects, proxies and cookies are off (a proxy would hide the real destination from the check).
    /// </summary>
    /// <param name="guard">The guard.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The handler.</returns>
    public static SocketsHttpHandler CreateSocketsHandler(SsrfGuard guard, IHostResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(resolver);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(guard, resolver, context.DnsEndPoint, cancellationToken),
        };
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using CancellationTokenSource timeout = new(_options.Timeout, _timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        CancellationToken token = linked.Token;

        HttpRequestMessage current = request;
        try
        {
            CapHttpVersion(request);
            for (int hop = 0; ; hop++)
            {
                Uri uri = current.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri.");
                SsrfDecision decision = await _guard.CheckUrlAsync(uri, _resolver, token).ConfigureAwait(false);
                if (!decision.IsAllowed)
                {
                    throw new SsrfBlockedException(decision);
                }

                HttpResponseMessage response = await SendHopAsync(current, timeout, cancellationToken, token).ConfigureAwait(false);
                if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
                {
                    if (response.Content is { } content && content is not LimitedContent)
                    {
                        if (content.Headers.ContentLength > _options.MaxResponseBytes)
                        {
                            response.Dispose();
                            throw new ResponseTooLargeException(_options.MaxResponseBytes);
                        }

                        response.Content = new LimitedContent(content, _options.MaxResponseBytes);
                    }

                    return response;
                }

                response.Dispose();
                if (hop >= _options.MaxRedirects)
                {
                    throw new SsrfBlockedException(FormattableString.Invariant(
                        $"Request refused: more than {_options.MaxRedirects} redirects (last target '{location}')."));
                }

                Uri next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                HttpRequestMessage nextRequest = CreateRedirectRequest(current, next, response.StatusCode);
                if (!ReferenceEquals(current, request))
                {
                    current.Dispose();
                }

                current = nextRequest;
            }
        }
        catch (SsrfBlockedException ex)
        {
            NetTelemetry.Blocked.Add(1, new KeyValuePair<string, object?>("executus.ssrf.reason", ex.Decision.Reason.ToString()));
            throw;
        }
        finally
        {
            if (!ReferenceEquals(current, request))
            {
                current.Dispose();
            }
        }
    }

    private async Task<HttpResponseMessage> SendHopAsync(
        HttpRequestMessage request, CancellationTokenSource timeout, CancellationToken callerToken, CancellationToken token)
    {
        try
        {
            return await base.SendAsync(request, token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (FindBlocked(ex) is { } blocked && !ReferenceEquals(blocked, ex))
        {
            throw new SsrfBlockedException(blocked.Decision);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            throw new TimeoutException(FormattableString.Invariant(
                $"The request to '{request.RequestUri}' did not complete within {_options.Timeout}."));
        }
    }

    // Why: SocketsHttpHandler opens QUIC (HTTP/3) connections without calling ConnectCallback, so such a connection
    // would skip the connect-time address check. HTTP/3-only requests are refused; any other policy that could pick
    // HTTP/3 (version 3.0 or RequestVersionOrHigher, e.g. after an Alt-Svc header) is capped at HTTP/2 or lower, which
    // offers the same h2/http1.1 negotiation over TLS.
    private static void CapHttpVersion(HttpRequestMessage request)
    {
        if (request.Version.Major >= 3 && request.VersionPolicy == HttpVersionPolicy.RequestVersionExact)
        {
            throw new SsrfBlockedException(SsrfDecision.Block(
                SsrfBlockReason.HttpVersion,
                "HTTP/3 is not allowed through the SSRF-safe client (QUIC connections bypass the connect-time address check); use HTTP/2 or HTTP/1.1",
                request.RequestUri?.IdnHost));
        }

        if (request.Version.Major >= 3 || request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
        {
            request.Version = System.Net.HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }
    }

    private static SsrfBlockedException? FindBlocked(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SsrfBlockedException blocked)
            {
                return blocked;
            }
        }

        return null;
    }

    private static bool IsRedirect(HttpStatusCode status) => status is
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or
        HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static HttpRequestMessage CreateRedirectRequest(HttpRequestMessage previous, Uri next, HttpStatusCode status)
    {
        bool keepMethod = status is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect ||
            previous.Method == HttpMethod.Get || previous.Method == HttpMethod.Head;
        HttpRequestMessage request = new(keepMethod ? previous.Method : HttpMethod.Get, next)
        {
            Version = previous.Version,
            VersionPolicy = previous.VersionPolicy,
            Content = keepMethod ? previous.Content : null,
        };

        Uri from = previous.RequestUri!;
        bool sameOrigin = Uri.Compare(from, next, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        foreach (KeyValuePair<string, IEnumerable<string>> header in previous.Headers)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) ||
                (!sameOrigin && (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ||
                                 header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            _ = request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (!sameOrigin)
        {
            request.Headers.Authorization = null as AuthenticationHeaderValue;
        }

        return request;
    }

    private static async ValueTask<Stream> ConnectAsync(SsrfGuard guard, IHostResolver resolver, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        string host = endPoint.Host.Trim('[', ']');
        bool allowListedHost = guard.IsHostAllowListed(host);
        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            addresses = [literal];
        }
        else
        {
            SsrfDecision byName = guard.CheckHost(host);
            if (!byName.IsAllowed)
            {
                throw new SsrfBlockedException(byName);
            }

            addresses = await resolver.ResolveAsync(byName.Host ?? host, cancellationToken).ConfigureAwait(false);
        }

        if (!allowListedHost)
        {
            SsrfDecision resolved = guard.CheckResolved(host, addresses);
            if (!resolved.IsAllowed)
            {
                throw new SsrfBlockedException(resolved);
            }
        }
        else if (addresses.Count == 0)
        {
            throw new SsrfBlockedException(SsrfDecision.Block(SsrfBlockReason.Unresolved, $"'{host}' does not resolve to any address", host));
        }

        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            Socket socket = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endPoint.Port, cancellationToken).ConfigureAwait(false);

                // Why: judge the peer the kernel actually connected to, not what we meant to connect to.
                if (!allowListedHost && socket.RemoteEndPoint is IPEndPoint remote)
                {
                    SsrfDecision connected = guard.CheckAddress(remote.Address);
                    if (!connected.IsAllowed)
                    {
                        throw new SsrfBlockedException(connected);
                    }
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
