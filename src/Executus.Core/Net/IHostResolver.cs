using System.Net;

namespace Executus.Net;

/// <summary>
/// Resolves host names to addresses for the SSRF guard and the safe HTTP handler. The seam exists so tests (and
/// hosts with their own DNS) can control resolution; the default is <see cref="DnsHostResolver"/>.
/// </summary>
public interface IHostResolver
{
    /// <summary>Resolves <paramref name="host"/>.</summary>
    /// <param name="host">A DNS host name (never an IP literal).</param>
    /// <param name="cancellationToken">A token to cancel the lookup.</param>
    /// <returns>The addresses; empty when the name does not resolve.</returns>
    ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default);
}
