namespace Executus.Testing.Conformance;

/// <summary>A request the <see cref="LoopbackHttpServer"/> received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The absolute path, without the query.</param>
/// <param name="Query">The query string, with its leading <c>?</c> (empty when none).</param>
/// <param name="Headers">The request headers (names case-insensitive).</param>
/// <param name="Body">The body as UTF-8 text.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>Gets a header value, or null.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The value, or null when absent.</returns>
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}
