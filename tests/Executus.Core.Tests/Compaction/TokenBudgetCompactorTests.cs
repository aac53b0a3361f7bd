using Executus.Compaction;
using Executus.Configuration;
using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Compaction;

public sealed class TokenBudgetCompactorTests
{
    private static readonly CompactionOptions Small = new()
    {
        ContextWindowTokens = 2_000,
        TriggerFraction = 0.8,
        TargetFraction = 0.5,
        MaxToolResultTokens = 300,
        KeepRecentTurns = 2,
    };

    /// <summary>A long agent history: system, first user, then turns of text and tool call/result pairs.</summary>
    internal static List<ChatMessage> History(int turns, int textChars = 200, int resultChars = 400)
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "You are a careful agent."),
            new(ChatRole.User, "Original task: fix the build."),
        };
        for (int i = 0; i < turns; i++)
        {
            string callId = $"call_{i}";
            messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, "read_file", new Dictionary<string, object?> { ["path"] = $"f{i}.cs" })]));
            messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, new string('r', resultChars))]));
            messages.Add(new ChatMessage(ChatRole.Assistant, $"step {i}: " + new string('a', textChars)));
            messages.Add(new ChatMessage(ChatRole.User, $"continue {i}"));
        }

        return messages;
    }

    private static int Count(IEnumerable<ChatMessage> messages) => messages.Sum(EstimatingTokenCounter.Instance.CountTokens);

    private static void AssertPairsIntact(IReadOnlyList<ChatMessage> messages)
    {
        var calls = messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet();
        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.True(calls.SetEquals(results), "every function call keeps its result and vice versa");
        for (int i = 0; i < messages.Count; i++)
        {
            foreach (FunctionResultContent result in messages[i].Contents.OfType<FunctionResultContent>())
            {
                Assert.True(i > 0 && messages[i - 1].Contents.OfType<FunctionCallContent>().Any(c => c.CallId == result.CallId)
                    || messages.Take(i).Any(m => m.Contents.OfType<FunctionCallContent>().Any(c => c.CallId == result.CallId)));
            }
        }
    }

    [Fact]
    public async Task Below_the_trigger_nothing_changes()
    {
        List<ChatMessage> history = History(2);
        CompactionResult result = await new TokenBudgetCompactor(Small).CompactAsync(history);
        Assert.False(result.Changed);
        Assert.Same(history, result.Messages);
    }

    [Fact]
    public async Task Evicts_old_tool_results_first_and_keeps_the_calls()
    {
        // 12 turns of ~170 tokens each: ~2,000 tokens; results are ~100 tokens each.
        List<ChatMessage> history = History(12, textChars: 40, resultChars: 400);
        var compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 2_000, TriggerFraction = 0.7, TargetFraction = 0.6, KeepRecentTurns = 2 });
        CompactionResult result = await compactor.CompactAsync(history);

        Assert.True(result.Changed);
        Assert.True(result.EvictedToolResults > 0);
        Assert.Equal(0, result.RemovedMessages);
        Assert.Equal(history.Count, result.Messages.Count);
        Assert.True(result.WithinTarget, $"{result.TokensAfter} <= {result.TargetTokens}");
        FunctionResultContent firstResult = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First();
        Assert.StartsWith("[tool result evicted", (string)firstResult.Result!, StringComparison.Ordinal);
        FunctionResultContent lastResult = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last();
        Assert.Equal(new string('r', 400), lastResult.Result);
        AssertPairsIntact(result.Messages);
        Assert.Equal(new string('r', 400), history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First().Result);
    }

    [Fact]
    public async Task Truncates_without_a_meta_model_keeping_system_first_user_and_pairs_under_target()
    {
        List<ChatMessage> history = History(60);
        CompactionResult result = await new TokenBudgetCompactor(Small).CompactAsync(history);

        Assert.True(result.RemovedMessages > 0);
        Assert.True(result.WithinTarget, $"{result.TokensAfter} <= {result.TargetTokens}");
        Assert.Equal(Count(result.Messages), result.TokensAfter);
        Assert.Equal(ChatRole.System, result.Messages[0].Role);
        Assert.Equal("Original task: fix the build.", result.Messages[1].Text);
        Assert.Contains("earlier messages were removed", result.Messages[2].Text, StringComparison.Ordinal);
        Assert.Equal("continue 59", result.Messages[^1].Text);
        AssertPairsIntact(result.Messages);
    }

    [Fact]
    public async Task Is_stable_without_a_meta_model()
    {
        var compactor = new TokenBudgetCompactor(Small);
        CompactionResult first = await compactor.CompactAsync(History(60));
        CompactionResult second = await compactor.CompactAsync(History(60));
        Assert.Equal(Render(first.Messages), Render(second.Messages));
    }

    [Fact]
    public async Task Never_separates_parallel_calls_from_their_results()
    {
        var history = new List<ChatMessage> { new(ChatRole.System, "s"), new(ChatRole.User, "task") };
        for (int i = 0; i < 40; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"a{i}", "t"), new FunctionCallContent($"b{i}", "t")]));
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"a{i}", new string('x', 300))]));
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"b{i}", new string('y', 300))]));
        }

        CompactionResult result = await new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 1_000, KeepRecentTurns = 1 }).CompactAsync(history);
        Assert.True(result.RemovedMessages > 0);
        AssertPairsIntact(result.Messages);
        Assert.Equal(ChatRole.Assistant, result.Messages[3].Role);
        Assert.Equal(2, result.Messages[3].Contents.OfType<FunctionCallContent>().Count());
    }

    [Fact]
    public async Task Trims_oversized_tool_results_with_a_visible_marker()
    {
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "task"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "fetch")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "HEAD" + new string('m', 10_000) + "TAIL")]),
        };
        CompactionResult result = await new TokenBudgetCompactor(new CompactionOptions { MaxToolResultTokens = 100 }).CompactAsync(history);
        Assert.Equal(1, result.TrimmedToolResults);
        string text = (string)result.Messages[2].Contents.OfType<FunctionResultContent>().Single().Result!;
        Assert.StartsWith("HEAD", text, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", text, StringComparison.Ordinal);
        Assert.Contains("tool result trimmed", text, StringComparison.Ordinal);
        Assert.True(text.Length <= 100 * 4 + 100);
    }

    [Fact]
    public async Task Summarizes_older_turns_through_llm_meta_when_available()
    {
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:fast", "s:m")]);
        var model = new ScriptedChatClient().ReplyText("They read many files.");
        var meta = new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("s", (_, _) => model), config), config);
        CompactionResult result = await new TokenBudgetCompactor(Small, meta: meta).CompactAsync(History(60));

        Assert.Equal("They read many files.", result.Summary);
        Assert.True(result.SummarizedMessages > 0);
        Assert.Equal(0, result.RemovedMessages);
        Assert.StartsWith(TokenBudgetCompactor.SummaryPrefix, result.Messages[2].Text, StringComparison.Ordinal);
        Assert.Contains("read_file", model.Requests[0].LastUserText, StringComparison.Ordinal);
        Assert.True(result.WithinTarget);
        AssertPairsIntact(result.Messages);
    }

    [Fact]
    public async Task Falls_back_to_truncation_when_the_summary_fails()
    {
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:fast", "s:m")]);
        var model = new ScriptedChatClient().ThrowHttp(System.Net.HttpStatusCode.ServiceUnavailable);
        var meta = new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("s", (_, _) => model), config), config);
        CompactionResult result = await new TokenBudgetCompactor(Small, meta: meta).CompactAsync(History(60));
        Assert.Null(result.Summary);
        Assert.True(result.RemovedMessages > 0);
    }

    [Fact]
    public async Task Works_as_an_IChatReducer()
    {
        IChatReducer reducer = new CompactingChatReducer(new TokenBudgetCompactor(Small));
        IEnumerable<ChatMessage> reduced = await reducer.ReduceAsync(History(60), CancellationToken.None);
        Assert.True(Count(reduced) <= 1_000);
    }

    [Fact]
    public void Options_are_read_from_config_with_clear_errors()
    {
        var config = new InMemoryConfigSource([new("Executus:Compaction:TriggerFraction", "0.4"), new("Executus:Compaction:TargetFraction", "0.6")]);
        ConfigException ex = Assert.Throws<ConfigException>(() => CompactionOptions.FromConfig(config));
        Assert.Equal("Executus:Compaction:TargetFraction", ex.Key);
        config.Set("Executus:Compaction:TargetFraction", "0.3");
        config.Set("Executus:Compaction:ContextWindowTokens", "32000");
        CompactionOptions options = CompactionOptions.FromConfig(config);
        Assert.Equal(32_000, options.ContextWindowTokens);
        Assert.Equal(0.3, options.TargetFraction);
    }

    [Fact]
    public void Estimate_is_about_four_characters_per_token()
    {
        Assert.Equal(EstimatingTokenCounter.MessageOverheadTokens + 25, EstimatingTokenCounter.Instance.CountTokens(new ChatMessage(ChatRole.User, new string('x', 100))));
    }

    private static string Render(IEnumerable<ChatMessage> messages) =>
        string.Join("\n", messages.Select(m => $"{m.Role}|{string.Join(",", m.Contents.Select(c => c switch
        {
            TextContent t => t.Text,
            FunctionCallContent f => "call:" + f.CallId,
            FunctionResultContent r => "result:" + r.CallId + ":" + r.Result,
            _ => c.GetType().Name,
        }))}"));
}
