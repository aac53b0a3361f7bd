using System.Net;
using Executus.Configuration;

namespace Executus.Net;

/// <summary>
/// Settings of the SSRF guard and the safe HTTP client. The default is deny-internal with no allow-list entries.
/// </summary>
/// <remarks>
/// Read from an <see cref="IConfigSource"/> by <see cref="FromConfig"/> under <c>Executus:Net:Ssrf:</c>:
/// <c>AllowHosts</c> and <c>AllowCidrs</c> (comma-separated), <c>MaxRedirects</c>, <c>MaxResponseBytes</c>,
/// <c>Timeout</c> (a duration such as <c>30s</c>), <c>BlockCloudMetadata</c> (true by default), and
/// <c>MetadataAddresses</c> / <c>MetadataHosts</c> (comma-separated, added to the built-in deny lists).
/// </remarks>
public sealed class SsrfOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "Executus:Net:Ssrf";

    /// <summary>
    /// Gets host names that may be contacted whatever they resolve to, for hosts that must reach an internal
    /// service on purpose. An entry is an exact name (<c>wiki.corp</c>) or a suffix wildcard (<c>*.corp</c>, which
    /// matches sub-domains only). Compared case-insensitively, ignoring a trailing dot. Scheme and user-info
    /// rules still apply.
    /// </summary>
    public IList<string> AllowHosts { get; } = new List<string>();

    /// <summary>Gets address ranges that may be contacted even though they are internal (e.g. <c>10.20.0.0/16</c>).</summary>
    public IList<IPNetwork> AllowCidrs { get; } = new List<IPNetwork>();

    /// <summary>
    /// Gets or sets whether known cloud metadata endpoints are refused even when their address is public or inside an
    /// <see cref="AllowCidrs"/> range (an allow-listed HOST still bypasses every address check). Default true; turn it
    /// off only for a host that must read instance metadata on purpose.
    /// </summary>
    public bool BlockCloudMetadata { get; set; } = true;

    /// <summary>
    /// Gets the cloud metadata addresses refused while <see cref="BlockCloudMetadata"/> is on; prefilled with the known
    /// ones (remove an entry to allow it): 169.254.169.254 (AWS, Azure, GCP, Oracle, DigitalOcean…), 169.254.170.2 (AWS
    /// ECS), 169.254.169.123/253 (AWS time and DNS), 168.63.129.16 (Azure WireServer, a public address),
    /// 100.100.100.200 (Alibaba), 192.0.0.192 (Oracle Cloud Classic), fd00:ec2::254 and fd00:ec2::23 (AWS IPv6). An
    /// address embedded in an IPv6 form (mapped, NAT64, 6to4, Teredo) is matched too.
    /// </summary>
    public IList<IPNetwork> MetadataAddresses { get; } = new List<IPNetwork>(
        new[] { "169.254.169.254", "169.254.170.2", "169.254.169.123", "169.254.169.253", "168.63.129.16", "100.100.100.200", "192.0.0.192", "fd00:ec2::254", "fd00:ec2::23" }
            .Select(a => new IPNetwork(IPAddress.Parse(a), a.Contains(':', StringComparison.Ordinal) ? 128 : 32)));

    /// <summary>
    /// Gets the cloud metadata host names refused while <see cref="BlockCloudMetadata"/> is on (exact, case-insensitive,
    /// trailing dot ignored): <c>metadata</c>, <c>metadata.google.internal</c>, <c>metadata.goog</c>,
    /// <c>instance-data</c>, <c>instance-data.ec2.internal</c>.
    /// </summary>
    public IList<string> MetadataHosts { get; } = new List<string>
    {
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    };

    /// <summary>Gets or sets how many redirects the safe client follows (each hop re-checked). Default 5; 0 follows none.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Gets or sets the largest response body the safe client reads, in bytes. Default 10 MiB.</summary>
    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Gets or sets the total time for a request including every redirect hop. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads options from <paramref name="config"/> (see the type's remarks for keys).</summary>
    /// <param name="config">The configuration source.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed (e.g. an invalid CIDR).</exception>
    public static SsrfOptions FromConfig(IConfigSource config)
    {
        SsrfOptions options = new();
        options.ApplyConfig(config);
        return options;
    }

    /// <summary>Applies values from <paramref name="config"/> over the current ones; list entries are appended.</summary>
    /// <param name="config">The configuration source.</param>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public void ApplyConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string Prefix = SectionName + ":";
        foreach (string host in config.GetList(Prefix + "AllowHosts"))
        {
            AllowHosts.Add(host);
        }

        string cidrKey = Prefix + "AllowCidrs";
        foreach (string cidr in config.GetList(cidrKey))
        {
            if (!TryParseCidr(cidr, out IPNetwork network))
            {
                throw new ConfigException(cidrKey, cidr, "a comma-separated list of CIDR ranges such as '10.0.0.0/8, fd00::/8'");
            }

            AllowCidrs.Add(network);
        }

        string metadataKey = Prefix + "MetadataAddresses";
        foreach (string cidr in config.GetList(metadataKey))
        {
            if (!TryParseCidr(cidr, out IPNetwork network))
            {
                throw new ConfigException(metadataKey, cidr, "a comma-separated list of addresses or CIDR ranges such as '192.0.2.10, fd00:ec2::/64'");
            }

            MetadataAddresses.Add(network);
        }

        foreach (string host in config.GetList(Prefix + "MetadataHosts"))
        {
            MetadataHosts.Add(host);
        }

        BlockCloudMetadata = config.GetBool(Prefix + "BlockCloudMetadata", BlockCloudMetadata);
        MaxRedirects = config.GetInt(Prefix + "MaxRedirects", MaxRedirects, min: 0, max: 50);
        MaxResponseBytes = config.GetLong(Prefix + "MaxResponseBytes", MaxResponseBytes, min: 1);
        Timeout = config.GetDuration(Prefix + "Timeout", Timeout);
    }

    private static bool TryParseCidr(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        // Why: a bare address is a convenient spelling of a single-host range.
        if (IPAddress.TryParse(text, out IPAddress? address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}
