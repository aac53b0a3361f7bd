using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Executus.Testing.Conformance;

/// <summary>
/// OpenAI's Chat Completions wire format (<c>POST /v1/chat/completions</c>; streaming as server-sent <c>data:</c> chunks
/// ending in <c>[DONE]</c>, usage in a last chunk with no choices), as documented in OpenAI's API reference.
/// </summary>
public class OpenAIChatCompletionsWireFormat : ProviderWireFormat
{
    private const string Created = "1767225600";

    /// <inheritdoc />
    public override string ChatPath(string model) => "/v1/chat/completions";

    /// <inheritdoc />
    public override CannedResponse Text(string model, string text, int inputTokens, int outputTokens) => new(200,
        $$$"""
        {"id":"chatcmpl-1","object":"chat.completion","created":{{{Created}}},"model":{{{Json(model)}}},
         "choices":[{"index":0,"message":{"role":"assistant","content":{{{Json(text)}}},"refusal":null},"logprobs":null,"finish_reason":"stop"}],
         "usage":{{{Usage(inputTokens, outputTokens)}}},"system_fingerprint":"fp_test"}
        """);

    /// <inheritdoc />
    public override CannedResponse StreamingText(string model, IReadOnlyList<string> chunks, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var sse = new StringBuilder();
        for (int i = 0; i < chunks.Count; i++)
        {
            string delta = i == 0 ? $$$"""{"role":"assistant","content":{{{Json(chunks[i])}}}}""" : $$$"""{"content":{{{Json(chunks[i])}}}}""";
            string finish = i == chunks.Count - 1 ? "\"stop\"" : "null";
            Chunk(sse, model, $$$"""[{"index":0,"delta":{{{delta}}},"logprobs":null,"finish_reason":{{{finish}}}}]""");
        }

        return Finish(sse, model, inputTokens, outputTokens);
    }

    /// <inheritdoc />
    public override CannedResponse ToolCall(string model, string callId, string name, string argumentsJson, int inputTokens, int outputTokens) => new(200,
        $$$"""
        {"id":"chatcmpl-2","object":"chat.completion","created":{{{Created}}},"model":{{{Json(model)}}},
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
           "tool_calls":[{"id":{{{Json(callId)}}},"type":"function","function":{"name":{{{Json(name)}}},"arguments":{{{Json(argumentsJson)}}}}}]},
           "logprobs":null,"finish_reason":"tool_calls"}],
         "usage":{{{Usage(inputTokens, outputTokens)}}}}
        """);

    /// <inheritdoc />
    public override CannedResponse StreamingToolCall(string model, string callId, string name, IReadOnlyList<string> argumentFragments, int inputTokens, int outputTokens)
    {
        ArgumentNullException.ThrowIfNull(argumentFragments);
        var sse = new StringBuilder();
        Chunk(sse, model, $$$"""[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":{{{Json(callId)}}},"type":"function","function":{"name":{{{Json(name)}}},"arguments":""}}]},"finish_reason":null}]""");
        foreach (string fragment in argumentFragments)
        {
            Chunk(sse, model, $$$"""[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":{{{Json(fragment)}}}}}]},"finish_reason":null}]""");
        }

        Chunk(sse, model, """[{"index":0,"delta":{},"finish_reason":"tool_calls"}]""");
        return Finish(sse, model, inputTokens, outputTokens);
    }

    /// <inheritdoc />
    public override CannedResponse ErrorResponse(int status, string message)
    {
        (string type, string code) = status switch
        {
            401 => ("invalid_request_error", "invalid_api_key"),
            429 => ("requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", "server_error"),
            _ => ("invalid_request_error", "invalid_request"),
        };
        return new CannedResponse(status, $$$"""{"error":{"message":{{{Json(message)}}},"type":"{{{type}}}","param":null,"code":"{{{code}}}"}}""");
    }

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
                JsonElement content = message.GetProperty("content");
                string text = content.ValueKind == JsonValueKind.String ? content.GetString()! : content.GetRawText();
                results.Add((message.GetProperty("tool_call_id").GetString(), text));
            }
        }

        return results;
    }

    private static string Usage(int input, int output) => string.Create(
        CultureInfo.InvariantCulture, $$$"""{"prompt_tokens":{{{input}}},"completion_tokens":{{{output}}},"total_tokens":{{{input + output}}}}""");

    private static void Chunk(StringBuilder sse, string model, string choices) =>
        sse.Append(CultureInfo.InvariantCulture, $$$"""data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":{{{Created}}},"model":{{{Json(model)}}},"choices":{{{choices}}}}""").Append("\n\n");

    private static CannedResponse Finish(StringBuilder sse, string model, int inputTokens, int outputTokens)
    {
        sse.Append(CultureInfo.InvariantCulture, $$$"""data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":{{{Created}}},"model":{{{Json(model)}}},"choices":[],"usage":{{{Usage(inputTokens, outputTokens)}}}}""").Append("\n\n");
        sse.Append("data: [DONE]\n\n");
        return new CannedResponse(200, sse.ToString(), "text/event-stream");
    }
}
