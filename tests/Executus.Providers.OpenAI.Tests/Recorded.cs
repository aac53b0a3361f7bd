namespace Executus.Providers.OpenAI.Tests;

/// <summary>Chat-completions responses as OpenAI-compatible servers send them.</summary>
internal static class Recorded
{
    public const string PlainText = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1767225600,"model":"gpt-test",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the loopback."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}
        """;

    public const string ToolCall = """
        {"id":"chatcmpl-2","object":"chat.completion","created":1767225600,"model":"gpt-test",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,
           "tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
           "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}
        """;

    public const string AfterTool = """
        {"id":"chatcmpl-3","object":"chat.completion","created":1767225600,"model":"gpt-test",
         "choices":[{"index":0,"message":{"role":"assistant","content":"It is sunny in Paris."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":30,"completion_tokens":7,"total_tokens":37}}
        """;

    public const string Streaming =
        "data: {\"id\":\"chatcmpl-4\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}]}\n\n" +
        "data: {\"id\":\"chatcmpl-4\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo!\"},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"chatcmpl-4\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"gpt-test\",\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}\n\n" +
        "data: [DONE]\n\n";

    public const string RateLimited = """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""";

    public const string Unauthorized = """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""";
}
