namespace Executus.Net;

/// <summary>Why the <see cref="SsrfGuard"/> refused a URL, host or address.</summary>
public enum SsrfBlockReason
{
    /// <summary>Not blocked.</summary>
    None,

    /// <summary>The URL is not an absolute URL, or its host is empty or unparsable.</summary>
    InvalidUrl,

    /// <summary>The scheme is not <c>http</c> or <c>https</c>.</summary>
    Scheme,

    /// <summary>The URL carries user information (<c>http://user@host</c>, <c>http://evil.com@127.0.0.1</c>).</summary>
    UserInfo,

    /// <summary>A host name reserved for the local machine or a private network (<c>localhost</c>, <c>*.local</c>, <c>*.internal</c>…).</summary>
    InternalHostName,

    /// <summary>A host whose last label is numeric but which is not a valid IPv4 address (<c>1.2.3.4.5</c>, <c>08.1</c>).</summary>
    AmbiguousNumericHost,

    /// <summary>Loopback: 127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>Private: 10/8, 172.16/12, 192.168/16 (RFC 1918), IPv6 unique-local fc00::/7, local-use NAT64 64:ff9b:1::/48.</summary>
    Private,

    /// <summary>Link-local: 169.254/16 (including the 169.254.169.254 cloud metadata endpoint), fe80::/10.</summary>
    LinkLocal,

    /// <summary>IPv6 site-local fec0::/10 (deprecated, still routed internally by some networks).</summary>
    SiteLocal,

    /// <summary>Carrier-grade NAT shared address space 100.64/10 (RFC 6598).</summary>
    SharedAddressSpace,

    /// <summary>Unspecified / "this network": 0.0.0.0/8, ::.</summary>
    Unspecified,

    /// <summary>Multicast: 224/4, ff00::/8.</summary>
    Multicast,

    /// <summary>Limited broadcast 255.255.255.255.</summary>
    Broadcast,

    /// <summary>
    /// Reserved or special-purpose: 240/4, 192.0.0/24, 192.88.99/24, IPv6 outside global unicast 2000::/3, 100::/64,
    /// 2001:10::/28 and 2001:20::/28 (ORCHID).
    /// </summary>
    Reserved,

    /// <summary>Documentation ranges: 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.</summary>
    Documentation,

    /// <summary>Benchmarking ranges: 198.18/15, 2001:2::/48.</summary>
    Benchmarking,

    /// <summary>An IPv6 address with a zone id (<c>fe80::1%eth0</c>): zones only name local links.</summary>
    ZoneId,

    /// <summary>The host name did not resolve to any address.</summary>
    Unresolved,

    /// <summary>A redirect chain was longer than <see cref="SsrfOptions.MaxRedirects"/> or had an unusable target.</summary>
    Redirect,

    /// <summary>
    /// A known cloud metadata endpoint (<see cref="SsrfOptions.MetadataAddresses"/>, <see cref="SsrfOptions.MetadataHosts"/>),
    /// blocked even in a public or allow-listed range while <see cref="SsrfOptions.BlockCloudMetadata"/> is on.
    /// </summary>
    CloudMetadata,

    /// <summary>A request asked for HTTP/3 only; QUIC connections bypass the connect-time address check.</summary>
    HttpVersion,
}
