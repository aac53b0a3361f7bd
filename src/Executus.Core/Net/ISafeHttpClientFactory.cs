namespace Executus.Net;

/// <summary>Gives tools an <see cref="HttpClient"/> that enforces the SSRF guard (see <see cref="SsrfProtectionHandler"/>).</summary>
public interface ISafeHttpClientFactory
{
    /// <summary>Gets the guard the clients enforce, for checking URL arguments before any network.</summary>
    SsrfGuard Guard { get; }

    /// <summary>Creates a client. Clients share one connection pool; disposing a client does not close it.</summary>
    /// <returns>The client.</returns>
    HttpClient CreateClient();
}
