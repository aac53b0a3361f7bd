using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Models;

public sealed class StructuredOutputTests
{
    public sealed record Verdict(string Decision, int Score);

    private static UsageDetails Usage(int input, int output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    [Fact]
    public async Task Parses_a_valid_answer_and_requests_a_json_schema()
    {
        var client = new ScriptedChatClient().ReplyText("""{"decision":"approve","score":7}""", Usage(10, 5));
        StructuredOutputResult<Verdict> result = await client.GenerateAsync<Verdict>("judge");
        Assert.Equal(new Verdict("approve", 7), result.Value);
        Assert.Equal(1, result.Attempts);
        Assert.IsType<ChatResponseFormatJson>(client.Requests[0].Options?.ResponseFormat);
        Assert.NotNull(((ChatResponseFormatJson)client.Requests[0].Options!.ResponseFormat!).Schema);
    }

    [Fact]
    public async Task Succeeds_after_one_repair_and_sums_usage()
    {
        var client = new ScriptedChatClient()
            .ReplyText("not json at all", Usage(10, 3))
            .ReplyText("""{"decision":"reject","score":2}""", Usage(20, 4));
        StructuredOutputResult<Verdict> result = await client.GenerateAsync<Verdict>("judge");

        Assert.Equal("reject", result.Value.Decision);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(30, result.Usage.InputTokenCount);
        Assert.Equal(7, result.Usage.OutputTokenCount);
        Assert.Equal(["not json at all", """{"decision":"reject","score":2}"""], result.RawTexts);
        ScriptedRequest repair = client.Requests[1];
        Assert.Contains("could not be used", repair.LastUserText, StringComparison.Ordinal);
        Assert.Contains(repair.Messages, m => m.Role == ChatRole.Assistant && m.Text == "not json at all");
    }

    [Fact]
    public async Task Caller_validator_failures_are_sent_back()
    {
        var client = new ScriptedChatClient()
            .ReplyText("""{"decision":"approve","score":70}""")
            .ReplyText("""{"decision":"approve","score":7}""");
        var options = new StructuredOutputOptions<Verdict> { Validator = v => v.Score is < 0 or > 10 ? "score must be between 0 and 10" : null };
        StructuredOutputResult<Verdict> result = await client.GenerateAsync("judge", options);
        Assert.Equal(7, result.Value.Score);
        Assert.Contains("score must be between 0 and 10", client.Requests[1].LastUserText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_typed_after_max_attempts_keeping_every_raw_text()
    {
        var client = new ScriptedChatClient()
            .ReplyText("garbage 1", Usage(1, 1))
            .ReplyText("null", Usage(1, 1))
            .ReplyText("""{"decision":"x","score":99}""", Usage(1, 1));
        var options = new StructuredOutputOptions<Verdict> { MaxAttempts = 3, Validator = v => v.Score > 10 ? "score too high" : null };
        StructuredOutputException ex = await Assert.ThrowsAsync<StructuredOutputException>(() => client.GenerateAsync("judge", options));

        Assert.Equal(3, ex.Attempts);
        Assert.Equal(["garbage 1", "null", """{"decision":"x","score":99}"""], ex.RawTexts);
        Assert.Equal(3, ex.Errors.Count);
        Assert.Contains("null", ex.Errors[1], StringComparison.OrdinalIgnoreCase);
        Assert.Contains("score too high", ex.Errors[2], StringComparison.Ordinal);
        Assert.Equal(3, ex.Usage.InputTokenCount);
        Assert.Equal(typeof(Verdict), ex.TargetType);
        Assert.Equal(3, client.Requests.Count);
    }

    [Fact]
    public async Task Zero_attempts_is_rejected()
    {
        var client = new ScriptedChatClient();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GenerateAsync("x", new StructuredOutputOptions<Verdict> { MaxAttempts = 0 }));
    }
}
