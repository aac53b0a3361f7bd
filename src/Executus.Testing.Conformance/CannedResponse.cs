namespace Executus.Testing.Conformance;

/// <summary>One response the <see cref="LoopbackHttpServer"/> sends, in order of queueing.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Body">The body, sent as UTF-8.</param>
/// <param name="ContentType">The <c>Content-Type</c> header.</param>
public sealed record CannedResponse(int Status, string Body, string ContentType = "application/json")
{
    /// <summary>Gets extra response headers (name, value).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets whether the server never answers (until it is disposed): the client's timeout must end the call.</summary>
    public bool Hang { get; init; }

    /// <summary>A response that never comes, for timeout tests.</summary>
    public static CannedResponse NoAnswer { get; } = new(200, string.Empty) { Hang = true };

    /// <summary>Returns a copy with one more header.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    /// <returns>The copy.</returns>
    public CannedResponse WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };
}
