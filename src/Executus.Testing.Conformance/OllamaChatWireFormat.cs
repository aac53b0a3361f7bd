using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Executus.Testing.Conformance;

/// <summary>
/// Ollama's native chat wire format (<c>POST /api/chat</c>; streaming as NDJSON lines, the last with <c>"done": true</c>
/// and <c>prompt_eval_count</c>/<c>eval_count</c> as usage; tool call arguments as a JSON object, sent whole; errors as
/// <c>{"error": "…"}</c>), as documented in Ollama's API reference (docs/api.md).
/// </summary>
public sealed class OllamaChatWireFormat : ProviderWireFormat
{
    private const string CreatedAt = "2026-01-01T00:00:00.000000Z";

    /// <inheritdoc />
    public override string ChatPath(string model) => "/api/chat";

    /// <inheritdoc />
    public override CannedResponse Text(string model, string text, int inputTokens, int outputTokens) => new(200,
        Line(model, $$$"""{"role":"assistant","content":{{{Json(text)}}}}""", Done(inputTokens, outputTokens)) + "\n", "application/json; charset=utf-8");

    /// <inheritdoc />
    public override CannedResponse StreamingText(string model, IReadOnlyList<string> chunks, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var lines = new StringBuilder();
        foreach (string chunk in chunks)
        {
            lines.Append(Line(model, $$$"""{"role":"assistant","content":{{{Json(chunk)}}}}""", """ "done":false""")).Append('\n');
        }

        lines.Append(Line(model, """{"role":"assistant","content":""}""", Done(inputTokens, outputTokens))).Append('\n');
        return new CannedResponse(200, lines.ToString(), "application/x-ndjson");
    }

    /// <inheritdoc />
    public override CannedResponse ToolCall(string model, string callId, string name, string argumentsJson, int inputTokens, int outputTokens) => new(200,
        Line(model, ToolCallMessage(name, argumentsJson), Done(inputTokens, outputTokens)) + "\n", "application/json; charset=utf-8");

    /// <inheritdoc />
    public override CannedResponse StreamingToolCall(string model, string callId, string name, IReadOnlyList<string> argumentFragments, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(argumentFragments);

        // Ollama streams a tool call whole, in one line, never in fragments.
        string arguments = string.Concat(argumentFragments);
        string lines = Line(model, ToolCallMessage(name, arguments), """ "done":false""") + "\n" +
            Line(model, """{"role":"assistant","content":""}""", Done(inputTokens, outputTokens)) + "\n";
        return new CannedResponse(200, lines, "application/x-ndjson");
    }

    /// <inheritdoc />
    public override CannedResponse ErrorResponse(int status, string message) => new(status, $$$"""{"error":{{{Json(message)}}}}""");

    /// <inheritdoc />
    public override CannedResponse Malformed() => new(200, """{"model":"model-a","created_at":"2026-01-01T00:00:00Z","message":{"role":"assis""", "application/x-ndjson");

    /// <inheritdoc />
    public override string? RequestedModel(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using JsonDocument body = JsonDocument.Parse(request.Body);
        return body.RootElement.TryGetProperty("model", out JsonElement model) ? model.GetString() : null;
    }

    /// <inheritdoc />
    public override IReadOnlyList<(string? CallId, string Result)> ToolResults(JsonElement body)
    {
        var results = new List<(string?, string)>();
        foreach (JsonElement message in body.GetProperty("messages").EnumerateArray())
        {
            if (message.GetProperty("role").GetString() == "tool")
            {
                // Ollama's tool messages carry no call id (only, in newer servers, the tool's name).
                results.Add((null, message.GetProperty("content").GetString() ?? string.Empty));
            }
        }

        return results;
    }

    /// <inheritdoc />
    public override bool IsStreaming(JsonElement body) =>
        !body.TryGetProperty("stream", out JsonElement stream) || stream.ValueKind != JsonValueKind.False;

    private static string ToolCallMessage(string name, string argumentsJson) =>
        $$$"""{"role":"assistant","content":"","tool_calls":[{"function":{"name":{{{Json(name)}}},"arguments":{{{argumentsJson}}}}}]}""";

    private static string Done(int input, int output) => string.Create(
        CultureInfo.InvariantCulture,
        $$$""" "done":true,"done_reason":"stop","total_duration":5000000,"load_duration":1000000,"prompt_eval_count":{{{input}}},"prompt_eval_duration":1000000,"eval_count":{{{output}}},"eval_duration":2000000""");

    private static string Line(string model, string message, string tail) =>
        $$$"""{"model":{{{Json(model)}}},"created_at":"{{{CreatedAt}}}","message":{{{message}}},{{{tail.Trim()}}}}""";
}
