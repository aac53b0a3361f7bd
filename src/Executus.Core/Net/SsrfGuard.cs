using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Executus.Net;

/// <summary>
/// A pure (no network) check of URLs, hosts and addresses against server-side request forgery: only <c>http</c> and
/// <c>https</c>, no user-info, and no address in a loopback, private, link-local, shared, unspecified, multicast,
/// broadcast, documentation, benchmarking or reserved range — in any IPv4 spelling <c>inet_aton</c> accepts and in
/// IPv4-mapped, -compatible, NAT64, 6to4 and Teredo IPv6 forms. Host names pass the pure check (except names reserved
/// for local use); <see cref="CheckUrlAsync"/> resolves them and checks every address, and
/// <see cref="SsrfProtectionHandler"/> checks the address actually connected to.
/// </summary>
/// <remarks>Thread-safe. Allow-list entries in <see cref="SsrfOptions"/> override the block for chosen hosts and ranges.</remarks>
public sealed class SsrfGuard
{
    private static readonly SearchValues<char> HostChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_.");
    private static readonly string[] InternalSuffixes = [".localhost", ".local", ".internal", ".home.arpa"];

    private readonly string[] _exactHosts;
    private readonly string[] _suffixHosts;
    private readonly IPNetwork[] _allowCidrs;
    private readonly IPNetwork[] _metadataAddresses;
    private readonly string[] _metadataHosts;

    /// <summary>Initializes a guard.</summary>
    /// <param name="options">The allow-lists; <see langword="null"/> for the deny-internal default.</param>
    public SsrfGuard(SsrfOptions? options = null)
    {
        options ??= new SsrfOptions();
        List<string> exact = [];
        List<string> suffix = [];
        foreach (string entry in options.AllowHosts)
        {
            string host = NormalizeHost(entry);
            if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                suffix.Add(host[1..]);
            }
            else if (host.StartsWith('.'))
            {
                suffix.Add(host);
            }
            else if (host.Length > 0)
            {
                exact.Add(host);
            }
        }

        _exactHosts = [.. exact];
        _suffixHosts = [.. suffix];
        _allowCidrs = [.. options.AllowCidrs];
        _metadataAddresses = options.BlockCloudMetadata ? [.. options.MetadataAddresses] : [];
        _metadataHosts = options.BlockCloudMetadata ? [.. options.MetadataHosts.Select(NormalizeHost).Where(h => h.Length > 0)] : [];
    }

    /// <summary>Gets a guard with the deny-internal default and no allow-list.</summary>
    public static SsrfGuard Default { get; } = new();

    /// <summary>Checks a URL string.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The decision.</returns>
    public SsrfDecision CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri))
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{url}' is not an absolute URL");
        }

        return CheckUri(uri);
    }

    /// <summary>Checks a URL: scheme, user-info and host (without resolving names).</summary>
    /// <param name="uri">The URL.</param>
    /// <returns>The decision.</returns>
    public SsrfDecision CheckUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{uri}' is not an absolute URL");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return SsrfDecision.Block(SsrfBlockReason.Scheme, $"the scheme '{uri.Scheme}' is not allowed; only http and https are", uri.IdnHost);
        }

        if (uri.UserInfo.Length > 0)
        {
            return SsrfDecision.Block(SsrfBlockReason.UserInfo, "URLs with user information ('user@host') are not allowed", uri.IdnHost);
        }

        return CheckHost(uri.IdnHost);
    }

    /// <summary>
    /// Checks a host: an IP literal in any spelling (brackets and IPv6 zones accepted) or a DNS name. Names pass unless
    /// they are reserved for local use (<c>localhost</c>, <c>*.localhost</c>, <c>*.local</c>, <c>*.internal</c>,
    /// <c>*.home.arpa</c>) or end in a numeric label that is not a valid IPv4 address.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <returns>The decision; for a name that passes, <see cref="SsrfDecision.Address"/> is <see langword="null"/>.</returns>
    public SsrfDecision CheckHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, "the URL has no host");
        }

        string normalized = NormalizeHost(host);
        if (normalized.Length == 0)
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{host}' is not a valid host");
        }

        // Why: only one trailing dot is the root label; "localhost.." or "127.0.0.1.." would slip past the name and
        // literal checks, and resolvers differ on what they make of an empty label.
        if (!normalized.Contains(':', StringComparison.Ordinal)
            && (normalized[0] == '.' || normalized[^1] == '.' || normalized.Contains("..", StringComparison.Ordinal)))
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{host}' has an empty label", normalized);
        }

        // Why: before the host allow-list, so "*.internal" does not open metadata.google.internal.
        if (Array.IndexOf(_metadataHosts, normalized) >= 0)
        {
            SsrfBlockReason metadataReason = EndsWithAny(normalized, InternalSuffixes) ? SsrfBlockReason.InternalHostName : SsrfBlockReason.CloudMetadata;
            return SsrfDecision.Block(metadataReason, $"'{host}' is {Describe(SsrfBlockReason.CloudMetadata)}", normalized);
        }

        if (IsHostAllowListed(normalized))
        {
            return SsrfDecision.Allow(normalized, allowListed: true);
        }

        if (normalized.Contains(':', StringComparison.Ordinal))
        {
            return CheckIPv6Literal(normalized);
        }

        if (Ipv4Parser.TryParse(normalized, out uint v4))
        {
            return CheckAddress(ToAddress(v4), normalized);
        }

        if (Ipv4Parser.LooksNumeric(normalized))
        {
            return SsrfDecision.Block(
                SsrfBlockReason.AmbiguousNumericHost,
                $"'{host}' ends in a number but is not a valid IPv4 address",
                normalized);
        }

        if (normalized.AsSpan().ContainsAnyExcept(HostChars))
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{host}' is not a valid host name", normalized);
        }

        if (normalized == "localhost" || normalized == "localhost.localdomain" || EndsWithAny(normalized, InternalSuffixes))
        {
            return SsrfDecision.Block(
                SsrfBlockReason.InternalHostName,
                $"'{host}' is a host name reserved for the local machine or a private network",
                normalized);
        }

        return SsrfDecision.Allow(normalized);
    }

    /// <summary>Checks an address.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The decision.</returns>
    public SsrfDecision CheckAddress(IPAddress address) => CheckAddress(address, host: null);

    /// <summary>
    /// Checks a URL and, when its host is a name that is not allow-listed, resolves it with
    /// <paramref name="resolver"/> and checks every address it resolves to (any internal address blocks).
    /// </summary>
    /// <param name="uri">The URL.</param>
    /// <param name="resolver">The resolver; <see langword="null"/> for <see cref="DnsHostResolver"/>.</param>
    /// <param name="cancellationToken">A token to cancel the lookup.</param>
    /// <returns>The decision.</returns>
    public async ValueTask<SsrfDecision> CheckUrlAsync(Uri uri, IHostResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        SsrfDecision decision = CheckUri(uri);
        if (!decision.IsAllowed || decision.AllowListed || decision.Address is not null || decision.Host is null)
        {
            return decision;
        }

        IReadOnlyList<IPAddress> addresses = await (resolver ?? DnsHostResolver.Instance)
            .ResolveAsync(decision.Host, cancellationToken).ConfigureAwait(false);
        return CheckResolved(decision.Host, addresses);
    }

    /// <summary>Checks the addresses <paramref name="host"/> resolved to: every one must pass.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="addresses">The addresses.</param>
    /// <returns>The decision.</returns>
    public SsrfDecision CheckResolved(string host, IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            return SsrfDecision.Block(SsrfBlockReason.Unresolved, $"'{host}' does not resolve to any address", host);
        }

        foreach (IPAddress address in addresses)
        {
            SsrfDecision each = CheckAddress(address, host);
            if (!each.IsAllowed)
            {
                return SsrfDecision.Block(
                    each.Reason,
                    $"'{host}' resolves to {address}, {Describe(each.Reason)}",
                    host,
                    address);
            }
        }

        return SsrfDecision.Allow(host, addresses[0]);
    }

    /// <summary>Returns whether <paramref name="host"/> matches an allow-listed host entry.</summary>
    /// <param name="host">The host (any case, optional trailing dot or brackets).</param>
    /// <returns><see langword="true"/> when allow-listed.</returns>
    public bool IsHostAllowListed(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_exactHosts.Length == 0 && _suffixHosts.Length == 0)
        {
            return false;
        }

        string normalized = NormalizeHost(host);
        return Array.IndexOf(_exactHosts, normalized) >= 0 || EndsWithAny(normalized, _suffixHosts);
    }

    /// <summary>Describes a block reason as a phrase ("a loopback address").</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The phrase.</returns>
    internal static string Describe(SsrfBlockReason reason) => reason switch
    {
        SsrfBlockReason.Loopback => "a loopback address",
        SsrfBlockReason.Private => "a private-network address",
        SsrfBlockReason.LinkLocal => "a link-local address (this includes cloud metadata endpoints)",
        SsrfBlockReason.SiteLocal => "a site-local address",
        SsrfBlockReason.SharedAddressSpace => "a carrier-grade NAT (shared) address",
        SsrfBlockReason.Unspecified => "an unspecified address",
        SsrfBlockReason.Multicast => "a multicast address",
        SsrfBlockReason.Broadcast => "the broadcast address",
        SsrfBlockReason.Reserved => "a reserved address",
        SsrfBlockReason.Documentation => "a documentation-only address",
        SsrfBlockReason.Benchmarking => "a benchmarking-only address",
        SsrfBlockReason.ZoneId => "an address with an IPv6 zone id",
        SsrfBlockReason.CloudMetadata => "a cloud metadata endpoint",
        SsrfBlockReason.HttpVersion => "an HTTP/3-only request",
        _ => "not allowed",
    };

    private SsrfDecision CheckAddress(IPAddress address, string? host)
    {
        ArgumentNullException.ThrowIfNull(address);

        bool allowListed = IsCidrAllowListed(address);
        SsrfBlockReason reason = allowListed ? SsrfBlockReason.None : AddressClassifier.Classify(address);

        // Why: a metadata endpoint that would otherwise pass (a public address such as Azure's WireServer, or one inside
        // an allow-listed range) is still refused; one already blocked keeps its range's reason.
        if (reason == SsrfBlockReason.None && IsMetadataAddress(address))
        {
            reason = SsrfBlockReason.CloudMetadata;
        }
        else if (allowListed)
        {
            return SsrfDecision.Allow(host, address, allowListed: true);
        }

        if (reason == SsrfBlockReason.None)
        {
            return SsrfDecision.Allow(host, address);
        }

        string shown = host is null || host == address.ToString() ? address.ToString() : $"'{host}' ({address})";
        return SsrfDecision.Block(reason, $"{shown} is {Describe(reason)}", host, address);
    }

    private SsrfDecision CheckIPv6Literal(string normalized)
    {
        int percent = normalized.IndexOf('%', StringComparison.Ordinal);
        string literal = percent < 0 ? normalized : normalized[..percent];
        if (!IPAddress.TryParse(literal, out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return SsrfDecision.Block(SsrfBlockReason.InvalidUrl, $"'{normalized}' is not a valid IPv6 address", normalized);
        }

        SsrfDecision decision = CheckAddress(address, normalized);
        if (decision.IsAllowed && percent >= 0 && !decision.AllowListed)
        {
            return SsrfDecision.Block(SsrfBlockReason.ZoneId, $"'{normalized}' carries an IPv6 zone id", normalized, address);
        }

        return decision;
    }

    private bool IsMetadataAddress(IPAddress address)
    {
        if (_metadataAddresses.Length == 0)
        {
            return false;
        }

        Span<uint> embedded = stackalloc uint[2];
        int count = AddressClassifier.EmbeddedIPv4(address, embedded);
        foreach (IPNetwork network in _metadataAddresses)
        {
            if (network.Contains(address))
            {
                return true;
            }

            for (int i = 0; i < count; i++)
            {
                if (network.Contains(ToAddress(embedded[i])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool IsCidrAllowListed(IPAddress address)
    {
        if (_allowCidrs.Length == 0)
        {
            return false;
        }

        IPAddress alternate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (IPNetwork network in _allowCidrs)
        {
            if (network.Contains(address) || network.Contains(alternate))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress ToAddress(uint hostOrder)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, hostOrder);
        return new IPAddress(bytes);
    }

    private static bool EndsWithAny(string host, string[] suffixes)
    {
        foreach (string suffix in suffixes)
        {
            if (host.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string NormalizeHost(string host)
    {
        ReadOnlySpan<char> span = host.AsSpan().Trim();
        if (span.Length >= 2 && span[0] == '[' && span[^1] == ']')
        {
            span = span[1..^1];
        }

        if (span.Length > 1 && span[^1] == '.')
        {
            span = span[..^1];
        }

        for (int i = 0; i < span.Length; i++)
        {
            if (char.IsAsciiLetterUpper(span[i]))
            {
                return span.ToString().ToLowerInvariant();
            }
        }

        return span.Length == host.Length ? host : span.ToString();
    }
}
