using System.Net;
using System.Net.Sockets;

namespace Executus.Net;

/// <summary>The default <see cref="IHostResolver"/>: <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>.</summary>
public sealed class DnsHostResolver : IHostResolver
{
    /// <summary>Gets a shared instance.</summary>
    public static DnsHostResolver Instance { get; } = new();

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // Why: "no such host" is an answer (empty), not a failure of the guard.
            return [];
        }
    }
}
