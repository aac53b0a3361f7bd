using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Models;

/// <summary>An empty reply with no finish reason (an error event inside an HTTP 200 stream) is a model failure.</summary>
public sealed class EmptyReplyTests
{
    private static ChatResponse EmptyReply() => new(new ChatMessage(ChatRole.Assistant, [])); // no content, no finish reason

    private static ModelFailoverChatClient Failover(ScriptedChatClient first, ScriptedChatClient second) =>
        new([new("p:first", first), new("p:second", second)], new FailoverOptions { TimeProvider = new FakeTimeProvider(), Tier = "smart" });

    [Fact]
    public async Task A_non_streamed_empty_reply_fails_over()
    {
        using var first = new ScriptedChatClient("first").Reply(EmptyReply());
        using var second = new ScriptedChatClient("second").ReplyText("answer");
        using ModelFailoverChatClient client = Failover(first, second);

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Equal("answer", response.Text);
    }

    [Fact]
    public async Task A_streamed_empty_reply_fails_over_because_nothing_reached_the_caller()
    {
        using var first = new ScriptedChatClient("first").Reply(EmptyReply());
        using var second = new ScriptedChatClient("second").ReplyStreaming("an", "swer");
        using ModelFailoverChatClient client = Failover(first, second);

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal("answer", updates.ToChatResponse().Text);
        Assert.Single(second.Requests);
    }

    [Fact]
    public async Task When_every_candidate_answers_empty_the_error_names_it()
    {
        using var first = new ScriptedChatClient("first").Reply(EmptyReply());
        using var second = new ScriptedChatClient("second").Reply(EmptyReply());
        using ModelFailoverChatClient client = Failover(first, second);

        ModelUnavailableException ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("hi"));
        Assert.Contains(nameof(ModelEmptyResponseException), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kernel_never_completes_with_an_empty_reply()
    {
        using var model = new ScriptedChatClient().Reply(EmptyReply());
        var executor = new Executor(new FixedModelResolver(model));

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("a"), "hi"));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.IsType<ModelEmptyResponseException>(result.Error);
    }

    [Fact]
    public async Task An_empty_answer_with_a_finish_reason_is_still_an_answer()
    {
        using var model = new ScriptedChatClient().Reply(new ChatResponse(new ChatMessage(ChatRole.Assistant, [])) { FinishReason = ChatFinishReason.Stop });
        RunResult result = await new Executor(new FixedModelResolver(model)).RunAsync(new RunRequest(new RunnableAgent("a"), "hi"));
        Assert.Equal(RunOutcome.Completed, result.Outcome);
    }
}
