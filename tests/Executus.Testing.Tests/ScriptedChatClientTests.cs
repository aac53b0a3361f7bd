using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Testing.Tests;

public class ScriptedChatClientTests
{
    [Fact]
    public async Task Answers_in_order_and_records_every_request()
    {
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3, TotalTokenCount = 13 };
        using var client = new ScriptedChatClient("m1").ReplyText("one", usage).ReplyText("two");

        ChatResponse first = await client.GetResponseAsync("hello", new ChatOptions { Temperature = 0.5f });
        ChatResponse second = await client.GetResponseAsync([new(ChatRole.System, "sys"), new(ChatRole.User, "again")]);

        Assert.Equal("one", first.Text);
        Assert.Same(usage, first.Usage);
        Assert.Equal("m1", first.ModelId);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        Assert.Equal("two", second.Text);
        Assert.Equal(2, client.Requests.Count);
        Assert.Equal("hello", client.Requests[0].LastUserText);
        Assert.Equal(0.5f, client.Requests[0].Options?.Temperature);
        Assert.Equal(2, client.Requests[1].Messages.Count);
        Assert.False(client.Requests[1].Streaming);
        Assert.Equal(0, client.RemainingTurns);
    }

    [Fact]
    public async Task Recorded_messages_are_a_snapshot()
    {
        using var client = new ScriptedChatClient().ReplyText("ok");
        List<ChatMessage> messages = [new(ChatRole.User, "a")];
        await client.GetResponseAsync(messages);
        messages.Add(new(ChatRole.User, "b"));
        Assert.Single(client.Requests[0].Messages);
    }

    [Fact]
    public async Task Tool_calls_carry_ids_and_json_arguments()
    {
        using var client = new ScriptedChatClient()
            .ReplyToolCall("clock", new { zone = "UTC", hours = 2 })
            .ReplyToolCall("search", new Dictionary<string, object?> { ["q"] = "x" }, callId: "fixed");

        ChatResponse response = await client.GetResponseAsync("time?");
        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("clock", call.Name);
        Assert.Equal("call_1", call.CallId);
        Assert.Equal("UTC", ((JsonElement)call.Arguments!["zone"]!).GetString());
        Assert.Equal(2, ((JsonElement)call.Arguments!["hours"]!).GetInt32());

        FunctionCallContent second = Assert.Single((await client.GetResponseAsync("q")).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("fixed", second.CallId);
        Assert.Equal("x", second.Arguments!["q"]);
    }

    [Fact]
    public async Task Several_tool_calls_in_one_answer()
    {
        using var client = new ScriptedChatClient().ReplyToolCalls([new("a", "t1"), new("b", "t2")]);
        ChatResponse response = await client.GetResponseAsync("go");
        Assert.Equal(["a", "b"], response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId));
    }

    [Fact]
    public async Task Raw_tool_call_with_malformed_json_carries_the_parse_error()
    {
        using var client = new ScriptedChatClient().ReplyRawToolCall("clock", "{\"zone\": ");
        ChatResponse response = await client.GetResponseAsync("time?");
        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.NotNull(call.Exception);
        Assert.Equal("clock", call.Name);
    }

    [Fact]
    public async Task Works_under_FunctionInvokingChatClient_for_a_real_tool_round_trip()
    {
        int calls = 0;
        AIFunction add = AIFunctionFactory.Create((int a, int b) => { calls++; return a + b; }, "add");
        using var scripted = new ScriptedChatClient().ReplyToolCall("add", new { a = 2, b = 3 }).ReplyText("5");
        using IChatClient client = scripted.AsBuilder().UseFunctionInvocation().Build();

        ChatResponse response = await client.GetResponseAsync("2+3?", new ChatOptions { Tools = [add] });

        Assert.Equal("5", response.Text);
        Assert.Equal(1, calls);
        FunctionResultContent result = Assert.Single(scripted.Requests[1].FunctionResults);
        Assert.Equal("5", result.Result?.ToString());
    }

    [Fact]
    public async Task An_exhausted_script_throws_a_clear_typed_error()
    {
        using var client = new ScriptedChatClient().ReplyText("only");
        await client.GetResponseAsync("first");

        var ex = await Assert.ThrowsAsync<ScriptExhaustedException>(() => client.GetResponseAsync("second question"));

        Assert.Contains("ran out of turns", ex.Message, StringComparison.Ordinal);
        Assert.Contains("request #2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("second question", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Request?.Index);
        Assert.Equal(2, client.Requests.Count);
    }

    [Fact]
    public async Task An_exhausted_streaming_script_throws_too()
    {
        using var client = new ScriptedChatClient();
        await Assert.ThrowsAsync<ScriptExhaustedException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync("x"))
            {
            }
        });
    }

    [Fact]
    public async Task WhenExhausted_answers_forever()
    {
        using var scripted = new ScriptedChatClient();
        using var client = scripted.WhenExhausted(r => scripted.CreateResponse([new TextContent($"echo {r.Index}")]));
        Assert.Equal("echo 0", (await client.GetResponseAsync("a")).Text);
        Assert.Equal("echo 1", (await client.GetResponseAsync("b")).Text);
    }

    [Fact]
    public async Task Responder_sees_the_request()
    {
        using var scripted = new ScriptedChatClient();
        scripted.Reply(r => scripted.CreateResponse([new TextContent(r.LastUserText.ToUpperInvariant())]));
        Assert.Equal("SHOUT", (await scripted.GetResponseAsync("shout")).Text);
    }

    [Fact]
    public async Task Thrown_exceptions_surface_including_http_status_and_retry_after()
    {
        var boom = new InvalidOperationException("boom");
        using var client = new ScriptedChatClient()
            .Throw(boom)
            .ThrowHttp(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(2.2))
            .ThrowHttp(HttpStatusCode.InternalServerError);

        Assert.Same(boom, await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("a")));
        var tooMany = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("b"));
        Assert.Equal(HttpStatusCode.TooManyRequests, tooMany.StatusCode);
        Assert.Equal("3", tooMany.Data[ScriptedChatClient.RetryAfterDataKey]);
        var serverError = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("c"));
        Assert.Equal(HttpStatusCode.InternalServerError, serverError.StatusCode);
        Assert.False(serverError.Data.Contains(ScriptedChatClient.RetryAfterDataKey));
    }

    [Fact]
    public async Task Delays_follow_the_time_provider_and_honour_cancellation()
    {
        var time = new FakeTimeProvider();
        using var client = new ScriptedChatClient(timeProvider: time).ReplyText("late").WithDelay(TimeSpan.FromSeconds(30)).ReplyText("never").WithDelay(TimeSpan.FromMinutes(1));

        Task<ChatResponse> pending = client.GetResponseAsync("a");
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("late", (await pending).Text);

        using var cts = new CancellationTokenSource();
        Task<ChatResponse> cancelled = client.GetResponseAsync("b", cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public void WithDelay_needs_a_queued_turn()
    {
        using var client = new ScriptedChatClient();
        Assert.Throws<InvalidOperationException>(() => client.WithDelay(TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ReplyText("x").WithDelay(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Streaming_chunks_arrive_as_separate_updates()
    {
        using var client = new ScriptedChatClient().ReplyStreaming("Hel", "lo", "!");
        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hel", "lo", "!"], updates.Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.True(client.Requests[0].Streaming);
    }

    [Fact]
    public async Task Plain_answers_stream_too_and_streamed_turns_answer_plain_requests()
    {
        var usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 2 };
        using var client = new ScriptedChatClient().ReplyText("whole", usage).ReplyStreaming("a", "b");

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("x"))
        {
            updates.Add(update);
        }

        ChatResponse combined = updates.ToChatResponse();
        Assert.Equal("whole", combined.Text);
        Assert.Equal(2, combined.Usage?.OutputTokenCount);
        Assert.Equal("ab", (await client.GetResponseAsync("y")).Text);
    }

    [Fact]
    public async Task Streaming_can_fail_before_or_after_updates()
    {
        using var client = new ScriptedChatClient()
            .Throw(new TimeoutException("before"))
            .Throw(new IOException("mid"), afterUpdates: 2, partialText: "part");

        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync("a"))
            {
                Assert.Fail("no update expected before the failure");
            }
        });

        List<string> seen = [];
        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("b"))
            {
                seen.Add(update.Text);
            }
        });
        Assert.Equal(["part", " part"], seen);
    }

    [Fact]
    public void Reports_metadata_and_itself_as_services()
    {
        using var client = new ScriptedChatClient("gpt-test");
        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("scripted", metadata.ProviderName);
        Assert.Equal("gpt-test", metadata.DefaultModelId);
        Assert.Same(client, client.GetService<ScriptedChatClient>());
        Assert.Null(client.GetService(typeof(ChatClientMetadata), "key"));
    }

    [Fact]
    public void Empty_turns_are_rejected()
    {
        using var client = new ScriptedChatClient();
        Assert.Throws<ArgumentException>(() => client.Enqueue(new ScriptedTurn()));
        Assert.Throws<ArgumentException>(() => client.ReplyStreaming());
        Assert.Throws<ArgumentException>(() => client.ReplyToolCalls([]));
    }
}
