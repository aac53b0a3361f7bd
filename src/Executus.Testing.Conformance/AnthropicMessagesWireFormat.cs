using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Executus.Testing.Conformance;

/// <summary>
/// Anthropic's Messages wire format (<c>POST /v1/messages</c>; streaming as server-sent events <c>message_start</c>,
/// <c>content_block_start</c>, <c>ping</c>, <c>content_block_delta</c> (<c>text_delta</c>, <c>input_json_delta</c>),
/// <c>content_block_stop</c>, <c>message_delta</c> (cumulative usage), <c>message_stop</c>; errors as
/// <c>{"type":"error","error":{"type":…,"message":…}}</c>), as documented in Anthropic's API reference.
/// </summary>
public sealed class AnthropicMessagesWireFormat : ProviderWireFormat
{
    /// <inheritdoc />
    public override string ChatPath(string model) => "/v1/messages";

    /// <inheritdoc />
    public override CannedResponse Text(string model, string text, int inputTokens, int outputTokens) =>
        Message(model, $$$"""[{"type":"text","text":{{{Json(text)}}}}]""", "end_turn", inputTokens, outputTokens);

    /// <inheritdoc />
    public override CannedResponse StreamingText(string model, IReadOnlyList<string> chunks, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var sse = new StringBuilder();
        Start(sse, model, inputTokens);
        Event(sse, "content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Event(sse, "ping", """{"type":"ping"}""");
        foreach (string chunk in chunks)
        {
            Event(sse, "content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{{Json(chunk)}}}}}""");
        }

        Event(sse, "content_block_stop", """{"type":"content_block_stop","index":0}""");
        return Stop(sse, "end_turn", outputTokens);
    }

    /// <inheritdoc />
    public override CannedResponse ToolCall(string model, string callId, string name, string argumentsJson, int inputTokens, int outputTokens) =>
        Message(
            model,
            $$$"""[{"type":"text","text":"Let me check."},{"type":"tool_use","id":{{{Json(callId)}}},"name":{{{Json(name)}}},"input":{{{argumentsJson}}}}]""",
            "tool_use",
            inputTokens,
            outputTokens);

    /// <inheritdoc />
    public override CannedResponse StreamingToolCall(string model, string callId, string name, IReadOnlyList<string> argumentFragments, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(argumentFragments);
        var sse = new StringBuilder();
        Start(sse, model, inputTokens);
        Event(sse, "content_block_start", $$$"""{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":{{{Json(callId)}}},"name":{{{Json(name)}}},"input":{}}""" + "}");
        Event(sse, "content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}""");
        foreach (string fragment in argumentFragments)
        {
            Event(sse, "content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":{{{Json(fragment)}}}}}""");
        }

        Event(sse, "content_block_stop", """{"type":"content_block_stop","index":0}""");
        return Stop(sse, "tool_use", outputTokens);
    }

    /// <inheritdoc />
    public override CannedResponse ErrorResponse(int status, string message)
    {
        string type = status switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        return new CannedResponse(status, $$$"""{"type":"error","error":{"type":"{{{type}}}","message":{{{Json(message)}}}},"request_id":"req_test"}""")
            .WithHeader("request-id", "req_test");
    }

    /// <inheritdoc />
    public override CannedResponse Malformed() => new(200, """{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"te""");

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
            if (message.GetProperty("role").GetString() != "user" || message.GetProperty("content").ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (JsonElement block in message.GetProperty("content").EnumerateArray())
            {
                if (block.GetProperty("type").GetString() == "tool_result")
                {
                    JsonElement content = block.TryGetProperty("content", out JsonElement c) ? c : default;
                    string text = content.ValueKind switch
                    {
                        JsonValueKind.String => content.GetString()!,
                        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(b => b.TryGetProperty("text", out JsonElement t) ? t.GetString() : b.GetRawText())),
                        _ => string.Empty,
                    };
                    results.Add((block.GetProperty("tool_use_id").GetString(), text));
                }
            }
        }

        return results;
    }

    private static CannedResponse Message(string model, string content, string stopReason, int input, int output) => new(200,
        string.Create(
            CultureInfo.InvariantCulture,
            $$$"""
            {"id":"msg_01","type":"message","role":"assistant","model":{{{Json(model)}}},"content":{{{content}}},
             "stop_reason":"{{{stopReason}}}","stop_sequence":null,
             "usage":{"input_tokens":{{{input}}},"output_tokens":{{{output}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}
            """));

    private static void Start(StringBuilder sse, string model, int input) => Event(sse, "message_start", string.Create(
        CultureInfo.InvariantCulture,
        $$$"""{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":{{{Json(model)}}},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{input}}},"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""") + "}");

    private static CannedResponse Stop(StringBuilder sse, string stopReason, int output)
    {
        Event(sse, "message_delta", string.Create(
            CultureInfo.InvariantCulture, $$$"""{"type":"message_delta","delta":{"stop_reason":"{{{stopReason}}}","stop_sequence":null},"usage":{"output_tokens":{{{output}}}}}"""));
        Event(sse, "message_stop", """{"type":"message_stop"}""");
        return new CannedResponse(200, sse.ToString(), "text/event-stream");
    }

    private static void Event(StringBuilder sse, string name, string data) => sse.Append("event: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");
}
