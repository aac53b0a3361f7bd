using System.Text.Json;

namespace Executus.Testing.Conformance;

/// <summary>
/// A vendor's chat wire format, written by hand from the vendor's public API documentation: the responses the
/// <see cref="LoopbackHttpServer"/> replays and how to read the requests the provider sent.
/// </summary>
public abstract class ProviderWireFormat
{
    /// <summary>Gets the request path a chat call for <paramref name="model"/> must use, e.g. <c>/v1/chat/completions</c>.</summary>
    /// <param name="model">The model id of the reference.</param>
    /// <returns>The absolute path.</returns>
    public abstract string ChatPath(string model);

    /// <summary>A complete (non-streaming) text answer with its token usage.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="text">The answer.</param>
    /// <param name="inputTokens">The reported input tokens.</param>
    /// <param name="outputTokens">The reported output tokens.</param>
    /// <returns>The response.</returns>
    public abstract CannedResponse Text(string model, string text, int inputTokens, int outputTokens);

    /// <summary>A streamed text answer in <paramref name="chunks"/>, with usage at the end.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="chunks">The text pieces, in order.</param>
    /// <param name="inputTokens">The reported input tokens.</param>
    /// <param name="outputTokens">The reported output tokens.</param>
    /// <returns>The response.</returns>
    public abstract CannedResponse StreamingText(string model, IReadOnlyList<string> chunks, int inputTokens, int outputTokens);

    /// <summary>A complete answer that calls one function.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="callId">The call id (vendors without ids ignore it).</param>
    /// <param name="name">The function name.</param>
    /// <param name="argumentsJson">The arguments as a JSON object.</param>
    /// <param name="inputTokens">The reported input tokens.</param>
    /// <param name="outputTokens">The reported output tokens.</param>
    /// <returns>The response.</returns>
    public abstract CannedResponse ToolCall(string model, string callId, string name, string argumentsJson, int inputTokens, int outputTokens);

    /// <summary>A streamed answer that calls one function, its arguments split into <paramref name="argumentFragments"/> where the vendor streams them in pieces.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="callId">The call id.</param>
    /// <param name="name">The function name.</param>
    /// <param name="argumentFragments">The arguments JSON in pieces; concatenated they are one JSON object.</param>
    /// <param name="inputTokens">The reported input tokens.</param>
    /// <param name="outputTokens">The reported output tokens.</param>
    /// <returns>The response.</returns>
    public abstract CannedResponse StreamingToolCall(string model, string callId, string name, IReadOnlyList<string> argumentFragments, int inputTokens, int outputTokens);

    /// <summary>An error response in the vendor's error body shape.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The error message.</param>
    /// <returns>The response.</returns>
    public abstract CannedResponse ErrorResponse(int status, string message);

    /// <summary>A 200 response whose body is not the vendor's format (truncated JSON).</summary>
    /// <returns>The response.</returns>
    public virtual CannedResponse Malformed() => new(200, """{"id":"broken","choices":[{"mess""");

    /// <summary>Gets the model id a request asked for (from its body or path).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The model id, or null.</returns>
    public abstract string? RequestedModel(RecordedRequest request);

    /// <summary>Gets the tool results a request sends back, as (call id or null, result text).</summary>
    /// <param name="body">The request body.</param>
    /// <returns>The results.</returns>
    public abstract IReadOnlyList<(string? CallId, string Result)> ToolResults(JsonElement body);

    /// <summary>Gets whether the request asked for a streamed answer.</summary>
    /// <param name="body">The request body.</param>
    /// <returns>True when streaming was requested.</returns>
    public virtual bool IsStreaming(JsonElement body) =>
        body.TryGetProperty("stream", out JsonElement stream) && stream.ValueKind == JsonValueKind.True;

    /// <summary>Escapes <paramref name="value"/> as a JSON string literal (with quotes).</summary>
    /// <param name="value">The text.</param>
    /// <returns>The literal.</returns>
    protected static string Json(string value) => JsonSerializer.Serialize(value);
}
