using Executus.Compaction;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Compaction;

public sealed class PinnedTrimmingTests
{
    private static readonly CompactionOptions Window128k = new() { ContextWindowTokens = 128_000, TriggerFraction = 0.8, TargetFraction = 0.5 };

    /// <summary>The case: a 400 KB first user message, then a long tool loop, then the latest user message.</summary>
    private static List<ChatMessage> HugeFirstMessage(int turns = 60)
    {
        string task = "TASK-START: review this log. " + new string('x', 400_000) + " TASK-END: list the errors.";
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a careful agent."), new(ChatRole.User, task) };
        for (int i = 0; i < turns; i++)
        {
            string id = $"c{i}";
            messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, "grep", new Dictionary<string, object?> { ["q"] = $"e{i}" })]));
            messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, new string('r', 2_000))]));
            messages.Add(new ChatMessage(ChatRole.Assistant, $"note {i}"));
        }

        messages.Add(new ChatMessage(ChatRole.User, "LATEST: now summarize the errors by severity."));
        return messages;
    }

    private static void AssertValidTranscript(IReadOnlyList<ChatMessage> messages)
    {
        var seenCalls = new HashSet<string>();
        foreach (ChatMessage message in messages)
        {
            foreach (FunctionCallContent call in message.Contents.OfType<FunctionCallContent>())
            {
                seenCalls.Add(call.CallId);
            }

            foreach (FunctionResultContent result in message.Contents.OfType<FunctionResultContent>())
            {
                Assert.Contains(result.CallId, seenCalls);
            }
        }

        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.True(seenCalls.SetEquals(results), "every call keeps its result");
    }

    [Fact]
    public async Task A_400_KB_first_user_message_is_trimmed_so_the_result_reaches_the_target()
    {
        List<ChatMessage> history = HugeFirstMessage();
        var compactor = new TokenBudgetCompactor(Window128k);

        CompactionResult result = await compactor.CompactAsync(history);

        Assert.True(result.TokensBefore > 100_000);
        Assert.True(result.WithinTarget, $"{result.TokensAfter} > {result.TargetTokens}");
        Assert.Equal(64_000, result.TargetTokens);
        Assert.Equal(result.TokensAfter, result.Messages.Sum(EstimatingTokenCounter.Instance.CountTokens));
        Assert.True(result.TargetReachable);
        Assert.Equal(1, result.TrimmedPinnedMessages);
        AssertValidTranscript(result.Messages);

        ChatMessage first = result.Messages.First(m => m.Role == ChatRole.User);
        Assert.StartsWith("TASK-START", first.Text, StringComparison.Ordinal);
        Assert.EndsWith("TASK-END: list the errors.", first.Text, StringComparison.Ordinal);
        Assert.Contains("message trimmed", first.Text, StringComparison.Ordinal);
        Assert.Equal(CompactionMarkers.TrimmedPinned, CompactionMarkers.Of(first));
        Assert.Equal("LATEST: now summarize the errors by severity.", result.Messages[^1].Text);
        Assert.Equal(ChatRole.System, result.Messages[0].Role);

        // Stable: compacting the result again changes nothing (it is below the trigger).
        CompactionResult again = await compactor.CompactAsync(result.Messages);
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task Turns_are_not_dropped_when_the_protected_turns_alone_exceed_the_target()
    {
        var history = new List<ChatMessage> { new(ChatRole.User, "task") };
        for (int i = 0; i < 10; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, new string('a', 400)));
        }

        // The last 4 turns (protected) alone take ~1,600 estimated tokens, above the 1,000-token target.
        for (int i = 0; i < 4; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, new string('b', 1_600)));
        }

        var options = new CompactionOptions { ContextWindowTokens = 3_000, TriggerFraction = 0.6, TargetFraction = 1.0 / 3, KeepRecentTurns = 4 };
        CompactionResult result = await new TokenBudgetCompactor(options).CompactAsync(history);

        Assert.False(result.TargetReachable);
        Assert.False(result.WithinTarget);
        Assert.Equal(0, result.RemovedMessages);
        Assert.Equal(history.Count, result.Messages.Count);
    }

    [Fact]
    public async Task An_unreachable_target_still_drops_what_the_window_requires()
    {
        var history = new List<ChatMessage> { new(ChatRole.User, "task") };
        for (int i = 0; i < 20; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, new string('a', 800)));
        }

        for (int i = 0; i < 2; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, new string('b', 2_400)));
        }

        var options = new CompactionOptions { ContextWindowTokens = 3_000, TriggerFraction = 0.6, TargetFraction = 0.3, KeepRecentTurns = 2 };
        CompactionResult result = await new TokenBudgetCompactor(options).CompactAsync(history);

        Assert.False(result.TargetReachable);
        Assert.True(result.RemovedMessages > 0);
        Assert.True(result.TokensAfter <= 3_000, $"{result.TokensAfter} must fit the window");
        Assert.True(result.RemovedMessages < 20, "only what the window needs is dropped");
    }

    [Fact]
    public async Task Reserved_output_tokens_come_off_the_window_before_the_fractions()
    {
        List<ChatMessage> history = TokenBudgetCompactorTests.History(40);
        Assert.True(history.Sum(EstimatingTokenCounter.Instance.CountTokens) > 4_800);
        var options = new CompactionOptions { ContextWindowTokens = 10_000, ReservedOutputTokens = 4_000, TriggerFraction = 0.8, TargetFraction = 0.5, KeepRecentTurns = 2 };

        CompactionResult result = await new TokenBudgetCompactor(options).CompactAsync(history);

        Assert.Equal(3_000, result.TargetTokens);
        Assert.True(result.WithinTarget);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new TokenBudgetCompactor(options).CompactAsync(history, contextWindowTokens: 4_000).AsTask());
    }

    [Fact]
    public async Task Trimming_uses_the_registered_counter_not_the_characters_per_token_constant()
    {
        // A counter that says every character is a token: trimming must cut to ~100 characters, not ~400.
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "task"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "fetch")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "HEAD" + new string('m', 2_000) + "TAIL")]),
        };
        var compactor = new TokenBudgetCompactor(new CompactionOptions { MaxToolResultTokens = 150 }, new CharCounter());

        CompactionResult result = await compactor.CompactAsync(history);

        FunctionResultContent trimmed = result.Messages[2].Contents.OfType<FunctionResultContent>().Single();
        string text = (string)trimmed.Result!;
        Assert.True(text.Length <= 150, $"{text.Length} characters");
        Assert.StartsWith("HEAD", text, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", text, StringComparison.Ordinal);
        Assert.Equal(CompactionMarkers.TrimmedResult, CompactionMarkers.Of(trimmed));
    }

    [Fact]
    public async Task Markers_are_additional_properties_not_text_prefixes()
    {
        List<ChatMessage> history = TokenBudgetCompactorTests.History(40);
        var options = new CompactionOptions { ContextWindowTokens = 2_000, MaxToolResultTokens = 300, KeepRecentTurns = 2 };
        CompactionResult result = await new TokenBudgetCompactor(options).CompactAsync(history);

        Assert.Contains(result.Messages, m => CompactionMarkers.Of(m) == CompactionMarkers.Removed);

        // A tool result whose text merely looks like an eviction notice is not mistaken for one.
        var lookalike = new List<ChatMessage>
        {
            new(ChatRole.User, "task"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "echo")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "[tool result evicted " + new string('z', 6_400))]),
            new(ChatRole.Assistant, new string('a', 400)),
            new(ChatRole.User, "next"),
        };
        CompactionResult evicted = await new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 2_000, MaxToolResultTokens = 0, KeepRecentTurns = 1 }).CompactAsync(lookalike);
        FunctionResultContent evictedResult = evicted.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Equal(CompactionMarkers.Evicted, CompactionMarkers.Of(evictedResult));
    }

    private sealed class CharCounter : ITokenCounter
    {
        public int CountTokens(ChatMessage message) =>
            message.Contents.Sum(c => c switch
            {
                TextContent t => t.Text.Length,
                FunctionResultContent r => r.Result?.ToString()?.Length ?? 0,
                FunctionCallContent f => f.Name.Length,
                _ => 0,
            });
    }
}
