using System.Diagnostics;
using System.Globalization;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Compaction;

/// <summary>
/// The default <see cref="ICompactor"/>: token-budget compaction in the manner of Microsoft Agent Framework's
/// strategies (a trigger and a target, tool-call groups kept atomic, cheapest loss first).
/// </summary>
/// <remarks>
/// <para>All sizes come from the registered <see cref="ITokenCounter"/> (trimming included); the trigger and target
/// (<see cref="CompactionTrigger"/>, <see cref="CompactionTarget"/>: fractions of the window by default) apply to the window
/// less the reserved output tokens (<see cref="CompactionOptions.ReservedOutputTokens"/> or the request's max output tokens,
/// whichever is larger). Every call first trims tool
/// results larger than <see cref="CompactionOptions.MaxToolResultTokens"/> (head and tail kept, a visible marker
/// between). When the trigger then fires, and pinned messages alone exceed the target, the largest
/// pinned messages get their middles trimmed the same way (so a 400 KB first user message cannot hold the conversation
/// above its trigger forever). It is then reduced to the target in three stages, each stopping as soon as the target is
/// met:</para>
/// <list type="number">
/// <item>old tool results are evicted, oldest first: the result is replaced by a visible marker, the call stays;</item>
/// <item>older turns are replaced by one summary message from <see cref="LlmMeta"/>, when a meta tier is available
/// (a failed summary falls back to the next stage);</item>
/// <item>older turns are dropped, oldest first, with a visible marker saying how many.</item>
/// </list>
/// <para>System messages and the first user message are always kept, as are the
/// <see cref="CompactionOptions.KeepRecentTurns"/> most recent turns. A turn is one message, or an assistant message
/// with function calls together with the messages carrying their results: they are evicted, summarized or dropped
/// together, never separated. When the pinned messages and the protected turns alone exceed the target, no turn is
/// dropped to chase it (<see cref="CompactionResult.TargetReachable"/> is false): turns go only as far as the window
/// itself requires. Everything compaction writes or changes is marked in <c>AdditionalProperties</c> under
/// <see cref="CompactionMarkers.Key"/>. Without a meta model the result depends only on the input (same input, same
/// output).</para>
/// <para>Telemetry (<see cref="ExecutusTelemetry.CompactionSourceName"/>): a <c>compact_context</c> span when the trigger is
/// crossed (the summary call nests in it), and compactions by strategy with tokens before and after. A failed summary
/// is logged as a warning and counted before the fallback.</para>
/// </remarks>
public sealed partial class TokenBudgetCompactor : ICompactor
{
    /// <summary>The text that starts a summary message (for the model; compaction recognises its own messages by <see cref="CompactionMarkers"/>).</summary>
    public const string SummaryPrefix = "[Summary of earlier conversation]";

    // Why: a trimmed pinned message keeps at least this much of its text (head and tail) however far it must shrink.
    private const int MinPinnedTextTokens = 256;

    private readonly CompactionOptions? _options;
    private readonly IConfigSource? _config;
    private readonly ITokenCounter _counter;
    private readonly LlmMeta? _meta;
    private readonly CompactionTrigger? _trigger;
    private readonly CompactionTarget? _target;
    private readonly Lazy<int> _textOverhead;
    private readonly ILogger _logger;

    /// <summary>Initializes a new compactor with fixed options.</summary>
    /// <param name="options">The options; defaults when null.</param>
    /// <param name="tokenCounter">The token counter; <see cref="EstimatingTokenCounter"/> when null.</param>
    /// <param name="meta">The meta helper for summaries; none (deterministic truncation) when null.</param>
    /// <param name="loggerFactory">Logs failed summaries; none when null.</param>
    public TokenBudgetCompactor(CompactionOptions? options = null, ITokenCounter? tokenCounter = null, LlmMeta? meta = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new CompactionOptions();
        _options.Validate();
        _trigger = _options.EffectiveTrigger;
        _target = _options.EffectiveTarget;
        _counter = tokenCounter ?? EstimatingTokenCounter.Instance;
        _meta = meta;
        _textOverhead = new Lazy<int>(() => _counter.CountTokens(new ChatMessage(ChatRole.User, string.Empty)));
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TokenBudgetCompactor>();
    }

    /// <summary>Initializes a new compactor that reads <c>Executus:Compaction:*</c> at every call.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="tokenCounter">The token counter; <see cref="EstimatingTokenCounter"/> when null.</param>
    /// <param name="meta">The meta helper for summaries; none (deterministic truncation) when null.</param>
    /// <param name="loggerFactory">Logs failed summaries; none when null.</param>
    public TokenBudgetCompactor(IConfigSource config, ITokenCounter? tokenCounter = null, LlmMeta? meta = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _counter = tokenCounter ?? EstimatingTokenCounter.Instance;
        _meta = meta;
        _textOverhead = new Lazy<int>(() => _counter.CountTokens(new ChatMessage(ChatRole.User, string.Empty)));
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TokenBudgetCompactor>();
    }

    /// <inheritdoc />
    // Why: this shipped overload keeps its optional parameters; the longer overload below came later (RS0027).
#pragma warning disable RS0027
    public ValueTask<CompactionResult> CompactAsync(
        IReadOnlyList<ChatMessage> messages, int? contextWindowTokens = null, CancellationToken cancellationToken = default) =>
        CompactAsync(messages, contextWindowTokens, 0, cancellationToken);
#pragma warning restore RS0027

    /// <inheritdoc />
    /// <remarks>The reserve is the larger of <paramref name="reservedOutputTokens"/> and <see cref="CompactionOptions.ReservedOutputTokens"/>.</remarks>
    public async ValueTask<CompactionResult> CompactAsync(
        IReadOnlyList<ChatMessage> messages, int? contextWindowTokens, int reservedOutputTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfNegative(reservedOutputTokens);
        CompactionOptions options = _options ?? CompactionOptions.FromConfig(_config!);
        int window = contextWindowTokens ?? options.ContextWindowTokens;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1, nameof(contextWindowTokens));
        int reserved = Math.Max(options.ReservedOutputTokens, reservedOutputTokens);
        if (window <= reserved)
        {
            throw new ArgumentOutOfRangeException(
                nameof(contextWindowTokens),
                window,
                string.Create(CultureInfo.InvariantCulture, $"The context window must be larger than the {reserved} tokens reserved for the answer (ReservedOutputTokens or the request's max output tokens)."));
        }

        CompactionTrigger triggerRule = _trigger ?? options.EffectiveTrigger;
        CompactionTarget targetRule = _target ?? options.EffectiveTarget;

        // Why: the model's answer shares the window; fractions apply to what is left for the conversation.
        int usable = window - reserved;

        int n = messages.Count;
        var working = new ChatMessage[n];
        var tokens = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            ChatMessage message = messages[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            working[i] = message;
            tokens[i] = _counter.CountTokens(message);
            total += tokens[i];
        }

        long before = total;
        int trimmed = options.MaxToolResultTokens > 0 ? TrimToolResults(working, tokens, options.MaxToolResultTokens, ref total) : 0;
        var state = new CompactionState(window, reserved, total, working);
        if (!triggerRule.ShouldCompact(state))
        {
            int trigger = Clamp(Math.Min(usable, triggerRule.ThresholdTokens(state)));
            if (trimmed == 0)
            {
                return new CompactionResult { Messages = messages, TokensBefore = Clamp(before), TokensAfter = Clamp(total), TargetTokens = trigger };
            }

            var trimmedResult = new CompactionResult { Messages = working, Changed = true, TokensBefore = Clamp(before), TokensAfter = Clamp(total), TargetTokens = trigger, TrimmedToolResults = trimmed };
            CompactionTelemetry.Record(trimmedResult, activity: null);
            return trimmedResult;
        }

        // Why: the span covers only real compactions (over the trigger); the common below-trigger call stays span-free.
        using Activity? activity = CompactionTelemetry.Source.StartActivity("compact_context");
        int target = Clamp(Math.Clamp(targetRule.GetTargetTokens(state), 1, usable));
        List<Turn> turns = BuildTurns(working);
        int protectedFrom = ProtectedFrom(turns, options.KeepRecentTurns);
        bool summarize = _meta is not null && _meta.IsAvailable;
        long reserve = summarize ? options.SummaryMaxWords * 2L : 32;

        // Pinned messages larger than the target: no amount of dropping reaches it, so their middles go first.
        long pinned = Sum(turns, tokens, 0, t => t.Pinned);
        long protectedTokens = Sum(turns, tokens, protectedFrom, t => !t.Pinned);
        int trimmedPinned = 0;
        if (pinned > target)
        {
            long pinnedBudget = Math.Max(target - protectedTokens - reserve, target / 2);
            trimmedPinned = TrimPinned(working, tokens, turns, pinned - pinnedBudget, ref total);
            pinned = Sum(turns, tokens, 0, t => t.Pinned);
        }

        // Why: when even the pinned and protected turns exceed the target, dropping history cannot reach it; turns are
        // then dropped only as far as the window itself requires.
        bool reachable = pinned + protectedTokens + reserve <= target;
        long goal = reachable ? target : usable;

        // Stage 1: evict old tool results.
        int evicted = 0;
        for (int t = 0; t < protectedFrom && total > goal; t++)
        {
            Turn turn = turns[t];
            if (turn.Pinned)
            {
                continue;
            }

            for (int i = turn.Start; i < turn.End && total > goal; i++)
            {
                if (EvictResults(working[i]) is { } replaced)
                {
                    int count = _counter.CountTokens(replaced);
                    total += count - tokens[i];
                    tokens[i] = count;
                    working[i] = replaced;
                    evicted++;
                }
            }
        }

        // Choose the oldest unpinned turns to replace, leaving room for the replacement message.
        string? summary = null;
        int summarized = 0;
        int removed = 0;
        var drop = new bool[turns.Count];
        if (total > goal)
        {
            long remaining = total;
            int firstDropped = -1;
            for (int t = 0; t < protectedFrom && remaining + reserve > goal; t++)
            {
                if (turns[t].Pinned)
                {
                    continue;
                }

                drop[t] = true;
                firstDropped = firstDropped < 0 ? t : firstDropped;
                for (int i = turns[t].Start; i < turns[t].End; i++)
                {
                    remaining -= tokens[i];
                }
            }

            if (firstDropped >= 0)
            {
                List<ChatMessage> dropped = [.. turns.Where((_, t) => drop[t]).SelectMany(turn => working[turn.Start..turn.End])];
                ChatMessage replacement;
                if (summarize && await TrySummarizeAsync(dropped, options.SummaryMaxWords, activity, cancellationToken).ConfigureAwait(false) is { } text)
                {
                    summary = text;
                    summarized = dropped.Count;
                    replacement = new ChatMessage(ChatRole.Assistant, $"{SummaryPrefix}\n{text}")
                    {
                        AdditionalProperties = CompactionMarkers.With(null, CompactionMarkers.Summary),
                    };
                }
                else
                {
                    removed = dropped.Count;
                    replacement = new ChatMessage(
                        ChatRole.Assistant,
                        string.Create(CultureInfo.InvariantCulture, $"[{dropped.Count} earlier messages were removed to fit the context window.]"))
                    {
                        AdditionalProperties = CompactionMarkers.With(null, CompactionMarkers.Removed),
                    };
                }

                var output = new List<ChatMessage>(n - dropped.Count + 1);
                for (int t = 0; t < turns.Count; t++)
                {
                    if (drop[t])
                    {
                        if (t == firstDropped)
                        {
                            output.Add(replacement);
                        }

                        continue;
                    }

                    for (int i = turns[t].Start; i < turns[t].End; i++)
                    {
                        output.Add(working[i]);
                    }
                }

                total = remaining + _counter.CountTokens(replacement);
                return Record(Result(output, before, total, target, reachable, new(trimmed, trimmedPinned, evicted, summarized, removed), summary), activity);
            }
        }

        return Record(Result(working, before, total, target, reachable, new(trimmed, trimmedPinned, evicted, summarized, removed), summary), activity);
    }

    private static CompactionResult Record(CompactionResult result, Activity? activity)
    {
        CompactionTelemetry.Record(result, activity);
        return result;
    }

    private static CompactionResult Result(
        IReadOnlyList<ChatMessage> messages, long before, long after, int target, bool reachable, Counts counts, string? summary) =>
        new()
        {
            Messages = messages,
            Changed = counts.Trimmed + counts.TrimmedPinned + counts.Evicted + counts.Summarized + counts.Removed > 0,
            TokensBefore = Clamp(before),
            TokensAfter = Clamp(after),
            TargetTokens = target,
            TargetReachable = reachable,
            TrimmedToolResults = counts.Trimmed,
            TrimmedPinnedMessages = counts.TrimmedPinned,
            EvictedToolResults = counts.Evicted,
            SummarizedMessages = counts.Summarized,
            RemovedMessages = counts.Removed,
            Summary = summary,
        };

    private static long Sum(List<Turn> turns, int[] tokens, int fromTurn, Func<Turn, bool> predicate)
    {
        long sum = 0;
        for (int t = fromTurn; t < turns.Count; t++)
        {
            Turn turn = turns[t];
            if (predicate(turn))
            {
                for (int i = turn.Start; i < turn.End; i++)
                {
                    sum += tokens[i];
                }
            }
        }

        return sum;
    }

    private async Task<string?> TrySummarizeAsync(List<ChatMessage> dropped, int maxWords, Activity? activity, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await _meta!.SummarizeAsync(dropped, maxWords, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Why: compaction must not fail a run because the meta model is down; truncation is the documented
            // fallback. It is logged and counted so a host notices a meta tier that keeps failing.
            SummaryFailed(ex.GetType().FullName ?? ex.GetType().Name, activity);
            LogSummaryFailed(_logger, ex, dropped.Count);
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            SummaryFailed("empty_summary", activity);
            LogSummaryEmpty(_logger, dropped.Count);
            return null;
        }

        return text;
    }

    private static void SummaryFailed(string errorType, Activity? activity)
    {
        CompactionTelemetry.SummaryFailures.Add(1, new KeyValuePair<string, object?>("error.type", errorType));
        activity?.AddEvent(new ActivityEvent("executus.compaction.summary_failed", tags: new ActivityTagsCollection { ["error.type"] = errorType }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compaction: summarizing {MessageCount} older message(s) failed; they are dropped with a marker instead.")]
    private static partial void LogSummaryFailed(ILogger logger, Exception exception, int messageCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compaction: the summary of {MessageCount} older message(s) came back empty; they are dropped with a marker instead.")]
    private static partial void LogSummaryEmpty(ILogger logger, int messageCount);

    private static int Clamp(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

    /// <summary>Counts the tokens of bare text with the registered counter (its per-message overhead taken off).</summary>
    private int CountText(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        if (_counter is EstimatingTokenCounter)
        {
            return EstimatingTokenCounter.EstimateText(text);
        }

        return Math.Max(0, _counter.CountTokens(new ChatMessage(ChatRole.User, text)) - _textOverhead.Value);
    }

    private long ResultTokens(FunctionResultContent result) =>
        _counter is EstimatingTokenCounter
            ? (EstimatingTokenCounter.ValueLength(result.Result) + EstimatingTokenCounter.CharsPerToken - 1) / EstimatingTokenCounter.CharsPerToken
            : CountText(TranscriptText(result.Result));

    /// <summary>
    /// Keeps the head and tail of <paramref name="text"/> with a visible marker between, so that the whole counts at most
    /// <paramref name="maxTokens"/> with the registered counter.
    /// </summary>
    private string TrimMiddle(string text, int maxTokens, string what)
    {
        int count = CountText(text);
        if (count <= maxTokens)
        {
            return text;
        }

        string Marker(int omitted) => string.Create(
            CultureInfo.InvariantCulture, $"\n[… {what} trimmed: {omitted} of {text.Length} characters omitted …]\n");

        int markerTokens = CountText(Marker(text.Length));
        int budget = Math.Max(0, maxTokens - markerTokens);
        double charsPerToken = (double)text.Length / Math.Max(1, count);
        int keep = (int)Math.Min(text.Length / 2, budget * charsPerToken / 2);
        string candidate = text;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            int head = keep;
            if (head > 0 && char.IsHighSurrogate(text[head - 1]))
            {
                head--;
            }

            int tailStart = text.Length - keep;
            if (tailStart < text.Length && char.IsLowSurrogate(text[tailStart]))
            {
                tailStart++;
            }

            candidate = string.Concat(text.AsSpan(0, head), Marker(tailStart - head), text.AsSpan(tailStart));
            int candidateTokens = CountText(candidate);
            if (candidateTokens <= maxTokens || keep == 0)
            {
                return candidate;
            }

            // Over budget (the kept text is denser than the average): shrink in proportion, at least by one character.
            double ratio = (double)budget / Math.Max(1, candidateTokens - markerTokens);
            keep = Math.Max(0, Math.Min(keep - 1, (int)(keep * Math.Min(0.98, ratio))));
        }

        return candidate;
    }

    private int TrimToolResults(ChatMessage[] working, int[] tokens, int maxTokens, ref long total)
    {
        int trimmed = 0;
        for (int i = 0; i < working.Length; i++)
        {
            ChatMessage message = working[i];
            List<AIContent>? contents = null;
            for (int c = 0; c < message.Contents.Count; c++)
            {
                if (message.Contents[c] is FunctionResultContent result && CompactionMarkers.Of(result) is null && ResultTokens(result) > maxTokens)
                {
                    contents ??= [.. message.Contents];
                    contents[c] = CopyResult(result, TrimMiddle(TranscriptText(result.Result), maxTokens, "tool result"), CompactionMarkers.TrimmedResult);
                    trimmed++;
                }
            }

            if (contents is not null)
            {
                working[i] = CopyMessage(message, contents);
                int count = _counter.CountTokens(working[i]);
                total += count - tokens[i];
                tokens[i] = count;
            }
        }

        return trimmed;
    }

    /// <summary>Trims the middles of the largest pinned messages until <paramref name="excess"/> tokens are gone.</summary>
    private int TrimPinned(ChatMessage[] working, int[] tokens, List<Turn> turns, long excess, ref long total)
    {
        int trimmed = 0;
        var candidates = turns.Where(t => t.Pinned).SelectMany(t => Enumerable.Range(t.Start, t.End - t.Start)).OrderByDescending(i => tokens[i]).ToList();
        foreach (int i in candidates)
        {
            if (excess <= 0)
            {
                break;
            }

            ChatMessage message = working[i];
            int largest = -1;
            for (int c = 0; c < message.Contents.Count; c++)
            {
                if (message.Contents[c] is TextContent { Text.Length: > 0 } text &&
                    (largest < 0 || text.Text.Length > ((TextContent)message.Contents[largest]).Text.Length))
                {
                    largest = c;
                }
            }

            if (largest < 0)
            {
                continue;
            }

            string original = ((TextContent)message.Contents[largest]).Text;
            int textTokens = CountText(original);
            long reducible = textTokens - Math.Min(textTokens, MinPinnedTextTokens);
            if (reducible <= 0)
            {
                continue;
            }

            int keepTokens = (int)(textTokens - Math.Min(excess, reducible));
            List<AIContent> contents = [.. message.Contents];
            contents[largest] = new TextContent(TrimMiddle(original, keepTokens, "message"))
            {
                AdditionalProperties = CompactionMarkers.With(message.Contents[largest].AdditionalProperties, CompactionMarkers.TrimmedPinned),
            };
            ChatMessage replaced = CopyMessage(message, contents);
            replaced.AdditionalProperties = CompactionMarkers.With(message.AdditionalProperties, CompactionMarkers.TrimmedPinned);
            int count = _counter.CountTokens(replaced);
            excess -= tokens[i] - count;
            total += count - tokens[i];
            tokens[i] = count;
            working[i] = replaced;
            trimmed++;
        }

        return trimmed;
    }

    private ChatMessage? EvictResults(ChatMessage message)
    {
        List<AIContent>? contents = null;
        for (int c = 0; c < message.Contents.Count; c++)
        {
            if (message.Contents[c] is FunctionResultContent result && CompactionMarkers.Of(result) != CompactionMarkers.Evicted)
            {
                contents ??= [.. message.Contents];
                contents[c] = CopyResult(
                    result,
                    string.Create(CultureInfo.InvariantCulture, $"[tool result evicted to save context; it was about {ResultTokens(result)} tokens]"),
                    CompactionMarkers.Evicted);
            }
        }

        return contents is null ? null : CopyMessage(message, contents);
    }

    private static string TranscriptText(object? value) => TranscriptRenderer.Serialize(value);

    private static FunctionResultContent CopyResult(FunctionResultContent result, string text, string marker) =>
        new(result.CallId, text) { AdditionalProperties = CompactionMarkers.With(result.AdditionalProperties, marker) };

    private static ChatMessage CopyMessage(ChatMessage message, IList<AIContent> contents) =>
        new(message.Role, contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties,
        };

    private static List<Turn> BuildTurns(ChatMessage[] messages)
    {
        var turns = new List<Turn>();
        bool firstUserSeen = false;
        int i = 0;
        while (i < messages.Length)
        {
            ChatMessage message = messages[i];
            if (message.Role == ChatRole.System || (!firstUserSeen && message.Role == ChatRole.User))
            {
                firstUserSeen |= message.Role == ChatRole.User;
                turns.Add(new Turn(i, i + 1, Pinned: true));
                i++;
                continue;
            }

            int end = i + 1;
            if (HasCalls(message))
            {
                while (end < messages.Length && messages[end].Role != ChatRole.System && IsOnlyResults(messages[end]))
                {
                    end++;
                }
            }

            turns.Add(new Turn(i, end, Pinned: false));
            i = end;
        }

        return turns;
    }

    private static bool HasCalls(ChatMessage message)
    {
        foreach (AIContent content in message.Contents)
        {
            if (content is FunctionCallContent)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOnlyResults(ChatMessage message)
    {
        if (message.Contents.Count == 0)
        {
            return false;
        }

        foreach (AIContent content in message.Contents)
        {
            if (content is not FunctionResultContent)
            {
                return false;
            }
        }

        return true;
    }

    private static int ProtectedFrom(List<Turn> turns, int keepRecent)
    {
        int kept = 0;
        for (int t = turns.Count - 1; t >= 0; t--)
        {
            if (turns[t].Pinned)
            {
                continue;
            }

            if (kept == keepRecent)
            {
                return t + 1;
            }

            kept++;
        }

        return 0;
    }

    private readonly record struct Turn(int Start, int End, bool Pinned);

    private readonly record struct Counts(int Trimmed, int TrimmedPinned, int Evicted, int Summarized, int Removed);
}
