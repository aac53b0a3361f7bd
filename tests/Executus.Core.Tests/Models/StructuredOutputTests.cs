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

    public sealed record Labelled(string Label, int Score);

    public sealed class Settable
    {
        public string Name { get; set; } = null!;

        public string? Note { get; set; }
    }

    [Fact]
    public async Task A_single_json_fence_is_accepted()
    {
        var client = new ScriptedChatClient().ReplyText("Here it is:\n```json\n{\"decision\":\"approve\",\"score\":7}\n```\nThanks.");
        StructuredOutputResult<Verdict> result = await client.GenerateAsync<Verdict>("judge");
        Assert.Equal(new Verdict("approve", 7), result.Value);
        Assert.Equal(1, result.Attempts);
    }

    [Fact]
    public async Task A_bare_fence_around_a_wrapped_value_is_accepted()
    {
        var client = new ScriptedChatClient().ReplyText("```\n{\"data\":[1,2,3]}\n```");
        StructuredOutputResult<int[]> result = await client.GenerateAsync<int[]>("numbers");
        Assert.Equal([1, 2, 3], result.Value);
    }

    [Fact]
    public async Task Two_fences_or_a_non_json_fence_go_to_repair()
    {
        var client = new ScriptedChatClient()
            .ReplyText("```json\n{\"decision\":\"a\",\"score\":1}\n```\n```json\n{\"decision\":\"b\",\"score\":2}\n```")
            .ReplyText("```python\nprint(1)\n```")
            .ReplyText("""{"decision":"c","score":3,"note":"use ```code``` here"}""");
        StructuredOutputResult<Verdict> result = await client.GenerateAsync<Verdict>("judge");
        Assert.Equal(new Verdict("c", 3), result.Value);
        Assert.Contains("more than one", client.Requests[1].LastUserText, StringComparison.Ordinal);
        Assert.Contains("'python'", client.Requests[2].LastUserText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "label")]
    [InlineData("""{"label":null,"score":1}""", "label")]
    [InlineData("""{"label":"x"}""", "score")]
    public async Task Missing_or_null_required_members_go_to_repair(string first, string member)
    {
        var client = new ScriptedChatClient()
            .ReplyText(first)
            .ReplyText("""{"label":"ok","score":4}""");
        StructuredOutputResult<Labelled> result = await client.GenerateAsync<Labelled>("judge");
        Assert.Equal(new Labelled("ok", 4), result.Value);
        Assert.Equal(2, result.Attempts);
        Assert.Contains(member, client.Requests[1].LastUserText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_absent_non_nullable_settable_member_goes_to_repair_and_a_nullable_one_may_be_absent()
    {
        var client = new ScriptedChatClient()
            .ReplyText("""{"note":"n"}""")
            .ReplyText("""{"name":"x"}""");
        StructuredOutputResult<Settable> result = await client.GenerateAsync<Settable>("name it");
        Assert.Equal("x", result.Value.Name);
        Assert.Null(result.Value.Note);
        Assert.Contains("'name'", client.Requests[1].LastUserText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_callers_serializer_options_are_not_modified()
    {
        var json = new System.Text.Json.JsonSerializerOptions(AIJsonUtilities.DefaultOptions);
        var client = new ScriptedChatClient().ReplyText("""{"label":"a","score":1}""");
        _ = await client.GenerateAsync("judge", new StructuredOutputOptions<Labelled> { SerializerOptions = json });
        Assert.False(json.RespectNullableAnnotations);
        Assert.False(json.RespectRequiredConstructorParameters);
    }

    [Fact]
    public async Task A_throwing_validator_is_wrapped_keeping_raw_replies_and_usage()
    {
        var client = new ScriptedChatClient()
            .ReplyText("garbage", Usage(5, 1))
            .ReplyText("""{"decision":"approve","score":7}""", Usage(6, 2));
        var boom = new InvalidOperationException("validator bug");
        var options = new StructuredOutputOptions<Verdict> { Validator = _ => throw boom };
        StructuredOutputException ex = await Assert.ThrowsAsync<StructuredOutputException>(() => client.GenerateAsync("judge", options));
        Assert.Same(boom, ex.InnerException);
        Assert.Equal(["garbage", """{"decision":"approve","score":7}"""], ex.RawTexts);
        Assert.Equal(11, ex.Usage.InputTokenCount);
        Assert.Contains("validator bug", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, client.Requests.Count);
    }
}
