using Executus.Compaction;
using Executus.Configuration;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Compaction;

public sealed class CompactionTriggerTests
{
    private static readonly ChatMessage[] ThreeMessages = [new(ChatRole.User, "a"), new(ChatRole.Assistant, "b"), new(ChatRole.User, "c")];

    private static CompactionState State(long tokens, int window = 10_000, int reserved = 0, IReadOnlyList<ChatMessage>? messages = null) =>
        new(window, reserved, tokens, messages ?? ThreeMessages);

    [Fact]
    public void Built_in_triggers_fire_on_their_own_measure()
    {
        Assert.True(CompactionTrigger.TokensExceed(100).ShouldCompact(State(101)));
        Assert.False(CompactionTrigger.TokensExceed(100).ShouldCompact(State(100)));

        // Fractions apply to the usable window: (10,000 - 2,000) * 0.5 = 4,000.
        Assert.True(CompactionTrigger.FractionExceeds(0.5).ShouldCompact(State(4_001, reserved: 2_000)));
        Assert.False(CompactionTrigger.FractionExceeds(0.5).ShouldCompact(State(4_000, reserved: 2_000)));

        Assert.True(CompactionTrigger.MessagesExceed(2).ShouldCompact(State(1)));
        Assert.False(CompactionTrigger.MessagesExceed(3).ShouldCompact(State(1)));
    }

    [Fact]
    public void Triggers_compose_with_any_and_all()
    {
        CompactionTrigger tokens = CompactionTrigger.TokensExceed(100);
        CompactionTrigger messages = CompactionTrigger.MessagesExceed(2);

        Assert.True(CompactionTrigger.Any(tokens, messages).ShouldCompact(State(50)));
        Assert.False(CompactionTrigger.All(tokens, messages).ShouldCompact(State(50)));
        Assert.True(CompactionTrigger.All(tokens, messages).ShouldCompact(State(150)));
        Assert.False(CompactionTrigger.Any(tokens, CompactionTrigger.MessagesExceed(5)).ShouldCompact(State(50)));
        Assert.True(CompactionTrigger.All(CompactionTrigger.Any(tokens, messages), CompactionTrigger.FractionExceeds(0.001)).ShouldCompact(State(50)));
    }

    [Fact]
    public void Targets_compose_and_apply_to_the_usable_window()
    {
        Assert.Equal(700, CompactionTarget.Tokens(700).GetTargetTokens(State(0)));
        Assert.Equal(4_000, CompactionTarget.Fraction(0.5).GetTargetTokens(State(0, reserved: 2_000)));
        Assert.Equal(700, CompactionTarget.Smallest(CompactionTarget.Fraction(0.5), CompactionTarget.Tokens(700)).GetTargetTokens(State(0)));
    }

    [Fact]
    public void Bad_triggers_and_targets_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTrigger.TokensExceed(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTrigger.FractionExceeds(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTrigger.FractionExceeds(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTrigger.MessagesExceed(0));
        Assert.Throws<ArgumentException>(() => CompactionTrigger.Any());
        Assert.Contains("Trigger 1", Assert.Throws<ArgumentException>(() => CompactionTrigger.All(CompactionTrigger.TokensExceed(1), null!)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTarget.Tokens(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CompactionTarget.Fraction(0));
        Assert.Throws<ArgumentException>(() => CompactionTarget.Smallest());
    }

    [Fact]
    public async Task The_compactor_uses_the_configured_trigger_and_target_objects()
    {
        // ~40 turns of small messages: far below 80% of a 128k window, so the default fraction trigger would not fire.
        List<ChatMessage> history = TokenBudgetCompactorTests.History(40);
        var byFraction = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 128_000 });
        Assert.False((await byFraction.CompactAsync(history)).Changed);

        var options = new CompactionOptions
        {
            ContextWindowTokens = 128_000,
            KeepRecentTurns = 2,
            Trigger = CompactionTrigger.Any(CompactionTrigger.FractionExceeds(0.8), CompactionTrigger.MessagesExceed(100)),
            Target = CompactionTarget.Smallest(CompactionTarget.Fraction(0.5), CompactionTarget.Tokens(2_000)),
        };
        CompactionResult result = await new TokenBudgetCompactor(options).CompactAsync(history);

        Assert.True(result.Changed);
        Assert.Equal(2_000, result.TargetTokens);
        Assert.True(result.WithinTarget, $"{result.TokensAfter} > {result.TargetTokens}");
        Assert.Equal("Original task: fix the build.", result.Messages[1].Text);
        Assert.Equal(history[^1].Text, result.Messages[^1].Text);
    }

    [Fact]
    public async Task A_custom_trigger_decides_and_an_untriggered_result_reports_the_usable_window()
    {
        List<ChatMessage> history = TokenBudgetCompactorTests.History(40);
        var never = new CompactionOptions { ContextWindowTokens = 2_000, MaxToolResultTokens = 0, Trigger = new NeverTrigger() };

        CompactionResult result = await new TokenBudgetCompactor(never).CompactAsync(history);

        Assert.False(result.Changed);
        Assert.Same(history, result.Messages);
        Assert.Equal(2_000, result.TargetTokens);
    }

    [Fact]
    public async Task TriggerMessages_in_config_adds_a_message_count_trigger_beside_the_fraction()
    {
        var config = new InMemoryConfigSource(new Dictionary<string, string?>
        {
            ["Executus:Compaction:ContextWindowTokens"] = "128000",
            ["Executus:Compaction:TriggerMessages"] = "100",
            ["Executus:Compaction:TargetFraction"] = "0.01",
            ["Executus:Compaction:KeepRecentTurns"] = "2",
        });
        CompactionOptions options = CompactionOptions.FromConfig(config);
        Assert.NotNull(options.Trigger);

        CompactionResult result = await new TokenBudgetCompactor(config).CompactAsync(TokenBudgetCompactorTests.History(40));

        Assert.True(result.Changed);
        Assert.Equal(1_280, result.TargetTokens);
        Assert.Throws<ConfigException>(() => CompactionOptions.FromConfig(new InMemoryConfigSource(new Dictionary<string, string?> { ["Executus:Compaction:TriggerMessages"] = "-1" })));
    }

    [Fact]
    public async Task The_requests_max_output_tokens_are_reserved_from_the_window()
    {
        List<ChatMessage> history = TokenBudgetCompactorTests.History(40);
        var compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 10_000, KeepRecentTurns = 2 });

        CompactionResult result = await compactor.CompactAsync(history, null, 4_000, CancellationToken.None);

        Assert.Equal(3_000, result.TargetTokens);
        Assert.True(result.WithinTarget);

        // The larger of the configured reserve and the request's wins.
        var configured = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 10_000, ReservedOutputTokens = 6_000, KeepRecentTurns = 2 });
        Assert.Equal(2_000, (await configured.CompactAsync(history, null, 4_000, CancellationToken.None)).TargetTokens);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => compactor.CompactAsync(history, null, 10_000, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task The_kernel_passes_the_agents_max_output_tokens_to_the_compactor()
    {
        using var model = new ScriptedChatClient().ReplyText("done");
        var compactor = new RecordingCompactor();
        var executor = new Executor(new FixedModelResolver(model), new ToolRegistry(), compactor: compactor);
        var agent = new RunnableAgent("writer") { ChatOptions = new ChatOptions { MaxOutputTokens = 1_234 } };

        RunResult result = await executor.RunAsync(new RunRequest(agent, "write"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([1_234], compactor.Reserved);
    }

    private sealed class NeverTrigger : CompactionTrigger
    {
        public override bool ShouldCompact(CompactionState state) => false;
    }

    private sealed class RecordingCompactor : ICompactor
    {
        public List<int> Reserved { get; } = [];

        public ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens = null, CancellationToken cancellationToken = default) =>
            CompactAsync(messages, contextWindowTokens, 0, cancellationToken);

        public ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens, int reservedOutputTokens, CancellationToken cancellationToken)
        {
            Reserved.Add(reservedOutputTokens);
            return ValueTask.FromResult(new CompactionResult { Messages = messages });
        }
    }
}
