using System.Diagnostics;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Core.Tests.Telemetry;
using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Executus.Core.Tests.Compaction;

public sealed class CompactionTelemetryTests
{
    private static readonly CompactionOptions Small = new()
    {
        ContextWindowTokens = 2_000,
        TriggerFraction = 0.8,
        TargetFraction = 0.5,
        MaxToolResultTokens = 300,
        KeepRecentTurns = 2,
    };

    private static LlmMeta Meta(ScriptedChatClient model)
    {
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:fast", "s:m")]);
        return new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("s", (_, _) => model), config), config);
    }

    [Fact]
    public async Task A_compaction_is_counted_with_its_strategy_and_tokens_before_and_after()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.CompactionSourceName);

        CompactionResult dropped = await new TokenBudgetCompactor(Small).CompactAsync(TokenBudgetCompactorTests.History(60));
        CompactionResult summarized = await new TokenBudgetCompactor(Small, meta: Meta(new ScriptedChatClient().ReplyText("They read files.")))
            .CompactAsync(TokenBudgetCompactorTests.History(60));
        CompactionResult unchanged = await new TokenBudgetCompactor(Small).CompactAsync(TokenBudgetCompactorTests.History(1));

        Assert.True(dropped.RemovedMessages > 0);
        Assert.True(summarized.SummarizedMessages > 0);
        Assert.False(unchanged.Changed);
        Assert.Equal(1, metrics.Sum("executus.compactions", ("executus.compaction.strategy", "drop")));
        Assert.Equal(1, metrics.Sum("executus.compactions", ("executus.compaction.strategy", "summarize")));
        Assert.Equal(2, metrics.Sum("executus.compactions")); // a call below the trigger that changes nothing is not a compaction
        Assert.Equal(dropped.TokensBefore + summarized.TokensBefore, metrics.Sum("executus.compaction.tokens_before"));
        Assert.Equal(dropped.TokensAfter + summarized.TokensAfter, metrics.Sum("executus.compaction.tokens_after"));
        Assert.Equal(dropped.TokensAfter, metrics.Sum("executus.compaction.tokens_after", ("executus.compaction.strategy", "drop")));
    }

    [Fact]
    public async Task Trimming_alone_counts_as_the_trim_strategy()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.CompactionSourceName);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "task"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "fetch")]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", new string('m', 10_000))]),
        ];

        CompactionResult result = await new TokenBudgetCompactor(new CompactionOptions { MaxToolResultTokens = 100 }).CompactAsync(history);

        Assert.Equal(1, result.TrimmedToolResults);
        Assert.Equal(1, metrics.Sum("executus.compactions", ("executus.compaction.strategy", "trim")));
    }

    [Fact]
    public async Task A_failed_summary_is_logged_counted_and_marked_on_the_span_before_the_fallback()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.CompactionSourceName);
        using var spans = new ActivityCapture(ExecutusTelemetry.CompactionSourceName);
        var logs = new CapturingLoggerFactory();
        var compactor = new TokenBudgetCompactor(
            Small, meta: Meta(new ScriptedChatClient().ThrowHttp(System.Net.HttpStatusCode.ServiceUnavailable)), loggerFactory: logs);

        CompactionResult result = await compactor.CompactAsync(TokenBudgetCompactorTests.History(60));

        Assert.True(result.RemovedMessages > 0);
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal(typeof(TokenBudgetCompactor).FullName, entry.Category);
        Assert.NotNull(entry.Exception); // the model's failure, as the failover client reports it
        Assert.Equal(1, metrics.Sum("executus.compaction.summary_failures", ("error.type", entry.Exception.GetType().FullName)));
        Assert.Equal(1, metrics.Sum("executus.compactions", ("executus.compaction.strategy", "drop")));
        Assert.Contains("dropped with a marker", entry.Message, StringComparison.Ordinal);

        Activity span = Assert.Single(spans.Stopped, a => a.OperationName == "compact_context");
        Assert.Equal("drop", span.GetTagItem("executus.compaction.strategy"));
        Assert.Equal(result.TokensBefore, span.GetTagItem("executus.compaction.tokens_before"));
        Assert.Equal(result.TokensAfter, span.GetTagItem("executus.compaction.tokens_after"));
        Assert.Contains(span.Events, e => e.Name == "executus.compaction.summary_failed");
    }

    [Fact]
    public async Task An_empty_summary_is_logged_and_counted_too()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.CompactionSourceName);
        var logs = new CapturingLoggerFactory();
        var compactor = new TokenBudgetCompactor(Small, meta: Meta(new ScriptedChatClient().ReplyText("   ")), loggerFactory: logs);

        CompactionResult result = await compactor.CompactAsync(TokenBudgetCompactorTests.History(60));

        Assert.Null(result.Summary);
        Assert.Equal(1, metrics.Sum("executus.compaction.summary_failures", ("error.type", "empty_summary")));
        Assert.Contains("came back empty", Assert.Single(logs.Entries).Message, StringComparison.Ordinal);
    }
}
