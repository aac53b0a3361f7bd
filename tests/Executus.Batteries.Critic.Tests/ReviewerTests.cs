using Executus.Configuration;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using static Executus.Critics.Tests.Reviews;

namespace Executus.Critics.Tests;

public sealed class ReviewerTests
{
    private static ChatMessage Call(string id, string tool, object? arg) =>
        new(ChatRole.Assistant, [new FunctionCallContent(id, tool, new Dictionary<string, object?> { ["q"] = arg })]);

    private static ChatMessage Result(string id, string text, Exception? error = null) =>
        new(ChatRole.Tool, [new FunctionResultContent(id, text) { Exception = error }]);

    private static ProgressReview Review(IReadOnlyList<ChatMessage> messages) => new(At(Min(3), messages: messages), 1, 0, Min(10));

    [Fact]
    public async Task Rule_reviewer_detects_a_loop_of_identical_calls()
    {
        List<ChatMessage> messages = [new(ChatRole.User, "find it")];
        for (int i = 0; i < 3; i++)
        {
            messages.Add(Call($"c{i}", "search", "same query"));
            messages.Add(Result($"c{i}", "nothing"));
        }

        CriticVerdict verdict = await new RuleBasedReviewer().ReviewAsync(Review(messages));

        Assert.Equal(CriticVerdictKind.Escalate, verdict.Kind);
        Assert.Contains("'search' was called 3 times with the same arguments", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(CriticVerdictKind.Stop, (await new RuleBasedReviewer { NoProgressVerdict = CriticVerdictKind.Stop }.ReviewAsync(Review(messages))).Kind);
    }

    [Fact]
    public async Task Rule_reviewer_sees_progress_when_arguments_change()
    {
        List<ChatMessage> messages = [new(ChatRole.User, "find it")];
        for (int i = 0; i < 3; i++)
        {
            messages.Add(Call($"c{i}", "search", $"query {i}"));
            messages.Add(Result($"c{i}", "partial"));
        }

        messages.Add(new ChatMessage(ChatRole.Assistant, "Found two of three."));

        CriticVerdict verdict = await new RuleBasedReviewer { Extension = Min(4) }.ReviewAsync(Review(messages));

        Assert.Equal((CriticVerdictKind.Extend, Min(4)), (verdict.Kind, verdict.Extension));
    }

    [Fact]
    public void Rule_reviewer_detects_piling_tool_errors_and_silence()
    {
        List<ChatMessage> errors = [new(ChatRole.User, "x")];
        for (int i = 0; i < 3; i++)
        {
            errors.Add(Call($"c{i}", "fetch", i));
            errors.Add(Result($"c{i}", "Error", new InvalidOperationException("down")));
        }

        Assert.Contains("3 of the last 3 tool calls failed", new RuleBasedReviewer().FindProblem(errors), StringComparison.Ordinal);

        List<ChatMessage> silent = [new(ChatRole.User, "x")];
        for (int i = 0; i < 4; i++)
        {
            silent.Add(Call($"c{i}", "step", i));
            silent.Add(Result($"c{i}", "ok"));
        }

        Assert.Contains("no new text from the model for 4 turns", new RuleBasedReviewer { SilentIterations = 4 }.FindProblem(silent), StringComparison.Ordinal);
        Assert.Null(new RuleBasedReviewer().FindProblem(silent));
    }

    [Fact]
    public void Rule_reviewer_reads_its_settings_from_configuration()
    {
        RuleBasedReviewer reviewer = RuleBasedReviewer.FromConfig(new InMemoryConfigSource([
            new("Executus:Critic:Rules:RepeatedCalls", "5"),
            new("Executus:Critic:Rules:NoProgress", "Stop"),
            new("Executus:Critic:Rules:Extension", "90s"),
        ]));

        Assert.Equal((5, CriticVerdictKind.Stop, TimeSpan.FromSeconds(90)), (reviewer.RepeatedCalls, reviewer.NoProgressVerdict, reviewer.Extension));
        Assert.Throws<ConfigException>(() => RuleBasedReviewer.FromConfig(new InMemoryConfigSource([new("Executus:Critic:Rules:NoProgress", "Extend")])));
    }

    private static LlmMeta Meta(ScriptedChatClient model)
    {
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:fast", "s:m")]);
        return new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("s", (_, _) => model), config), config);
    }

    [Fact]
    public async Task Llm_reviewer_returns_the_model_structured_verdict_and_audits_its_usage()
    {
        using var model = new ScriptedChatClient()
            .ReplyText("""{"decision":"extend","reason":"tests are passing one by one","extendMinutes":3}""", new UsageDetails { InputTokenCount = 50, OutputTokenCount = 10 });
        var audit = new RecordingAudit();
        var reviewer = new LlmProgressReviewer(Meta(model), audit);
        IReadOnlyList<ChatMessage> messages =
        [
            new(ChatRole.User, "Fix the build"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "login", new Dictionary<string, object?> { ["user"] = "ci", ["password"] = "hunter2-SECRET" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", """{"ok":true,"session":{"access_token":"tok-SECRET"}}""")]),
        ];

        CriticVerdict verdict = await reviewer.ReviewAsync(Review(messages));

        Assert.Equal((CriticVerdictKind.Extend, Min(3), "tests are passing one by one"), (verdict.Kind, verdict.Extension, verdict.Reason));
        string prompt = Assert.Single(model.Requests).Messages[^1].Text;
        Assert.Contains("Fix the build", prompt, StringComparison.Ordinal);
        Assert.Contains("\"user\":\"ci\"", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", prompt, StringComparison.Ordinal);
        var audited = Assert.Single(audit.Events);
        Assert.Equal(("run-1", "critic", 50L), (audited.RunId, audited.Data["purpose"], audited.Usage!.InputTokenCount));
    }

    [Theory]
    [InlineData("""{"decision":"stop","reason":"it keeps retrying the same URL"}""", CriticVerdictKind.Stop)]
    [InlineData("""{"decision":"escalate","reason":"asks for production credentials"}""", CriticVerdictKind.Escalate)]
    [InlineData("""{"decision":"continue","reason":"unclear"}""", CriticVerdictKind.Continue)]
    public async Task Llm_reviewer_maps_each_decision(string answer, CriticVerdictKind kind)
    {
        using var model = new ScriptedChatClient().ReplyText(answer);

        Assert.Equal(kind, (await new LlmProgressReviewer(Meta(model)).ReviewAsync(Review([new(ChatRole.User, "x")]))).Kind);
    }

    [Fact]
    public async Task Llm_reviewer_falls_back_to_continue_on_a_malformed_verdict()
    {
        using var model = new ScriptedChatClient()
            .ReplyText("I think it is fine")
            .ReplyText("""{"decision":"maybe"}""")
            .ReplyText("""{"decision":"extend"}""");
        var audit = new RecordingAudit();

        CriticVerdict verdict = await new LlmProgressReviewer(Meta(model), audit).ReviewAsync(Review([new(ChatRole.User, "x")]));

        Assert.Equal(CriticVerdict.Continue, verdict);
        Assert.Equal(3, model.Requests.Count);
        Assert.Equal("malformed", Assert.Single(audit.Events).Data["verdict"]);
    }

    [Fact]
    public async Task Llm_reviewer_without_a_meta_tier_continues()
    {
        using var model = new ScriptedChatClient();
        var config = new InMemoryConfigSource();
        var meta = new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("s", (_, _) => model), config), config);

        Assert.Equal(CriticVerdict.Continue, await new LlmProgressReviewer(meta).ReviewAsync(Review([new(ChatRole.User, "x")])));
    }
}
