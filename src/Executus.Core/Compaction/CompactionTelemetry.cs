using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executus.Compaction;

/// <summary>The compactor's activity source and instruments, on <see cref="ExecutusTelemetry.CompactionSourceName"/>.</summary>
internal static class CompactionTelemetry
{
    public const string StrategyTag = "executus.compaction.strategy";

    public static readonly ActivitySource Source = new(ExecutusTelemetry.CompactionSourceName);
    private static readonly Meter s_meter = new(ExecutusTelemetry.CompactionSourceName);

    /// <summary>Compactions that changed the conversation or had to try, by the strongest strategy used.</summary>
    public static readonly Counter<long> Compactions = s_meter.CreateCounter<long>(
        "executus.compactions", "{compaction}", "Compactions, by the strongest strategy used (trim, evict, summarize, drop; none when over the trigger with nothing left to compact).");

    public static readonly Histogram<int> TokensBefore = s_meter.CreateHistogram<int>(
        "executus.compaction.tokens_before", "{token}", "Estimated conversation tokens before a compaction.");

    public static readonly Histogram<int> TokensAfter = s_meter.CreateHistogram<int>(
        "executus.compaction.tokens_after", "{token}", "Estimated conversation tokens after a compaction.");

    /// <summary>Summaries that failed or came back empty, so the compactor dropped the turns instead.</summary>
    public static readonly Counter<long> SummaryFailures = s_meter.CreateCounter<long>(
        "executus.compaction.summary_failures", "{failure}", "Summaries of older turns that failed, so the turns were dropped with a marker instead.");

    /// <summary>Returns the strongest strategy a compaction used.</summary>
    public static string Strategy(CompactionResult result) =>
        result.RemovedMessages > 0 ? "drop"
        : result.SummarizedMessages > 0 ? "summarize"
        : result.EvictedToolResults > 0 ? "evict"
        : result.TrimmedToolResults > 0 ? "trim"
        : "none";

    public static void Record(CompactionResult result, Activity? activity)
    {
        string strategy = Strategy(result);
        var tag = new KeyValuePair<string, object?>(StrategyTag, strategy);
        Compactions.Add(1, tag);
        TokensBefore.Record(result.TokensBefore, tag);
        TokensAfter.Record(result.TokensAfter, tag);
        if (activity is not null)
        {
            activity.SetTag(StrategyTag, strategy);
            activity.SetTag("executus.compaction.tokens_before", result.TokensBefore);
            activity.SetTag("executus.compaction.tokens_after", result.TokensAfter);
            activity.SetTag("executus.compaction.target_tokens", result.TargetTokens);
            activity.SetTag("executus.compaction.within_target", result.WithinTarget);
        }
    }
}
