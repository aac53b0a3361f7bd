using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The net tool group: <c>dns_lookup</c> resolves a host through the <see cref="IHostResolver"/> and lists its
/// addresses (a name the SSRF guard refuses — local names, internal literals, names resolving to internal
/// addresses — is an error that does not reveal the internal addresses); <c>http_head</c> returns a URL's status and
/// selected headers through the SSRF-safe client.
/// </summary>
/// <remarks>Bad input and refusals throw <see cref="GenericToolException"/> (the toolbox shows it to the model as a tool error).</remarks>
public sealed class NetTools
{
    private static readonly string[] SelectedHeaders =
    [
        "Content-Type", "Content-Length", "Content-Language", "Content-Encoding", "Last-Modified", "Expires",
        "ETag", "Cache-Control", "Date", "Server", "Location", "Retry-After", "Strict-Transport-Security",
    ];

    private readonly ISafeHttpClientFactory _http;
    private readonly IHostResolver _resolver;
    private readonly GenericToolsOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes the group.</summary>
    /// <param name="http">The SSRF-safe client factory (its guard decides what is refused).</param>
    /// <param name="resolver">The resolver; <see langword="null"/> for <see cref="DnsHostResolver"/>.</param>
    /// <param name="options">Caps; <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for the time cap; <see langword="null"/> for the system clock.</param>
    public NetTools(ISafeHttpClientFactory http, IHostResolver? resolver = null, GenericToolsOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _resolver = resolver ?? DnsHostResolver.Instance;
        _options = options ?? new GenericToolsOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;

        DnsLookup = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The host name to resolve, such as 'example.com'.")] string host, CancellationToken cancellationToken) => LookupAsync(host, cancellationToken),
                GenericToolNames.DnsLookup,
                "Resolves a host name and lists its IP addresses."),
            _options.Apply(GenericToolNames.DnsLookup, new ToolMetadata { Category = "net", SideEffect = SideEffect.External }));
        HttpHead = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The absolute http or https URL to check.")] string url, CancellationToken cancellationToken) => HeadAsync(url, cancellationToken),
                GenericToolNames.HttpHead,
                "Sends an HTTP HEAD request and returns the status and selected headers (content type, length, last modified, server…)."),
            _options.Apply(GenericToolNames.HttpHead, new ToolMetadata
            {
                Category = "net",
                SideEffect = SideEffect.External,
                Validators = [new UrlArgumentValidator(http.Guard, _resolver, "url")],
            }));
        Tools = [DnsLookup, HttpHead];
    }

    /// <summary>Gets <c>dns_lookup</c>.</summary>
    public RegisteredTool DnsLookup { get; }

    /// <summary>Gets <c>http_head</c>.</summary>
    public RegisteredTool HttpHead { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Resolves <paramref name="host"/> and lists its addresses.</summary>
    /// <param name="host">A host name or IP literal (a URL's host is taken from an http(s) URL).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>One line per address.</returns>
    /// <exception cref="GenericToolException">The host is empty, refused by the guard, or does not resolve.</exception>
    public async Task<string> LookupAsync(string host, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new GenericToolException("the host is empty; give a host name such as 'example.com'");
        }

        string name = host.Trim();
        if (name.Contains("://", StringComparison.Ordinal))
        {
            name = Uri.TryCreate(name, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri.IdnHost
                : throw new GenericToolException($"'{host}' is not a host name; give a host such as 'example.com'");
        }

        SsrfGuard guard = _http.Guard;
        SsrfDecision decision = guard.CheckHost(name);
        if (!decision.IsAllowed)
        {
            throw new GenericToolException($"looking up '{name}' is refused: {decision.Detail}");
        }

        string shown = decision.Host ?? name;
        if (decision.Address is { } literal)
        {
            return $"Host: {shown}\nAddresses:\n- {literal} ({Family(literal)}; an IP literal, not looked up)";
        }

        IReadOnlyList<IPAddress> addresses;
        using (CancellationTokenSource timer = new(_options.WebTimeout, _timeProvider))
        using (CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token))
        {
            try
            {
                addresses = await _resolver.ResolveAsync(shown, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new GenericToolException($"looking up '{shown}' did not finish within {SafeHttp.Describe(_options.WebTimeout)}", ex);
            }
            catch (SocketException ex)
            {
                throw new GenericToolException($"'{shown}' could not be looked up: {ex.Message}", ex);
            }
        }

        if (addresses.Count == 0)
        {
            throw new GenericToolException($"'{shown}' does not resolve to any address");
        }

        bool allowListedHost = decision.AllowListed;
        if (!allowListedHost)
        {
            SsrfDecision resolved = guard.CheckResolved(shown, addresses);
            if (!resolved.IsAllowed)
            {
                // Why: listing internal addresses would let a model map a private network through DNS.
                throw new GenericToolException(
                    $"'{shown}' resolves to an internal address ({resolved.Reason}); the SSRF guard refuses it, so its addresses are not shown");
            }
        }

        StringBuilder builder = new();
        builder.Append("Host: ").Append(shown).Append("\nAddresses:");
        foreach (IPAddress address in addresses)
        {
            SsrfDecision each = guard.CheckAddress(address);
            string note = each.AllowListed ? "; internal, allow-listed"
                : each.IsAllowed ? string.Empty
                : "; internal, reachable only because the host name is allow-listed";
            builder.Append(CultureInfo.InvariantCulture, $"\n- {address} ({Family(address)}{note})");
        }

        return builder.ToString();
    }

    /// <summary>Sends a HEAD request to <paramref name="url"/> and returns its status and selected headers.</summary>
    /// <param name="url">The absolute http(s) URL.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The final URL, the status line and one line per selected header present.</returns>
    /// <exception cref="GenericToolException">The URL is bad or blocked, or the request failed or timed out.</exception>
    public Task<string> HeadAsync(string url, CancellationToken cancellationToken = default)
    {
        Uri uri = SafeHttp.ParseUrl(url, _http.Guard);
        return SafeHttp.SendAsync(
            _http,
            HttpMethod.Head,
            uri,
            _options.WebTimeout,
            _timeProvider,
            (response, _) =>
            {
                StringBuilder builder = new();
                builder.Append("URL: ").Append(response.RequestMessage?.RequestUri ?? uri).Append('\n');
                builder.Append("Status: ").Append(SafeHttp.StatusLine(response));
                foreach (string header in SelectedHeaders)
                {
                    if (response.Headers.TryGetValues(header, out IEnumerable<string>? values) ||
                        response.Content.Headers.TryGetValues(header, out values))
                    {
                        builder.Append('\n').Append(header).Append(": ").Append(string.Join(", ", values));
                    }
                }

                return Task.FromResult(builder.ToString());
            },
            cancellationToken);
    }

    private static string Family(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
