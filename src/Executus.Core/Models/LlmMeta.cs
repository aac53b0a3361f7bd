using System.Globalization;
using Executus.Configuration;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// The shared helper for small internal model calls (summaries for compaction, a critic's verdicts,
/// classifications) on the tier named by <c>Executus:LlmMeta:Tier</c> (default <c>fast</c>), read at every call. Calls
/// go through the resolved tier client, so their usage reaches the <see cref="IUsageSink"/>; they carry the ambient
/// <see cref="ModelCallContext"/> (caller, run id) with a purpose of <c>llm-meta:…</c> for separate accounting.
/// </summary>
public sealed class LlmMeta
{
    /// <summary>The key naming the tier used for meta calls.</summary>
    public const string TierKey = "Executus:LlmMeta:Tier";

    /// <summary>The tier used when <see cref="TierKey"/> is not set.</summary>
    public const string DefaultTier = "fast";

    private readonly ModelTierResolver _resolver;
    private readonly IConfigSource _config;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="resolver">Resolves the meta tier.</param>
    /// <param name="config">Where the tier name is read.</param>
    public LlmMeta(ModelTierResolver resolver, IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(config);
        _resolver = resolver;
        _config = config;
    }

    /// <summary>Gets the tier meta calls use now.</summary>
    public string Tier => _config.GetString(TierKey, DefaultTier);

    /// <summary>Gets whether the meta tier is configured; callers with a deterministic fallback check this first.</summary>
    public bool IsAvailable => _resolver.HasTier(Tier);

    /// <summary>Sends <paramref name="messages"/> to the meta tier.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="options">Chat options, if any.</param>
    /// <param name="purpose">The purpose recorded with the usage; <c>llm-meta</c> when null.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ModelResolutionException">The meta tier is not configured correctly.</exception>
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, string? purpose = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using ModelFailoverChatClient client = _resolver.ResolveTier(Tier);
        using IDisposable scope = BeginPurpose(purpose ?? "llm-meta");
        return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Summarizes a conversation in at most about <paramref name="maxWords"/> words.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="maxWords">The length limit given to the model.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The summary text.</returns>
    public Task<string> SummarizeAsync(IEnumerable<ChatMessage> messages, int maxWords = 200, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return SummarizeAsync(TranscriptRenderer.Render(messages), maxWords, cancellationToken);
    }

    /// <summary>Summarizes <paramref name="text"/> in at most about <paramref name="maxWords"/> words.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxWords">The length limit given to the model.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The summary text.</returns>
    public async Task<string> SummarizeAsync(string text, int maxWords = 200, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        ChatMessage[] messages =
        [
            new(ChatRole.System, string.Create(CultureInfo.InvariantCulture,
                $"Summarize the following for the assistant that will continue this work. Keep facts, decisions, open questions, tool results that still matter, names and numbers. At most {maxWords} words. Reply with the summary only.")),
            new(ChatRole.User, text),
        ];
        ChatResponse response = await GetResponseAsync(messages, purpose: "llm-meta:summarize", cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Text.Trim();
    }

    /// <summary>Classifies <paramref name="text"/> as exactly one of <paramref name="labels"/>.</summary>
    /// <param name="text">The text to classify.</param>
    /// <param name="labels">The allowed labels.</param>
    /// <param name="instructions">What the labels mean, if the names alone are not enough.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>One of <paramref name="labels"/>, as written there.</returns>
    /// <exception cref="StructuredOutputException">The model did not pick a valid label within the allowed tries.</exception>
    public async Task<string> ClassifyAsync(
        string text, IReadOnlyList<string> labels, string? instructions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0 || labels.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("At least one label is needed, and labels must not be blank.", nameof(labels));
        }

        string allowed = string.Join(", ", labels.Select(l => $"\"{l}\""));
        ChatMessage[] messages =
        [
            new(ChatRole.System, $"Classify the user's text. Answer with a JSON object {{\"label\": ...}} whose label is exactly one of: {allowed}.{(instructions is null ? string.Empty : " " + instructions)}"),
            new(ChatRole.User, text),
        ];
        var options = new StructuredOutputOptions<Classification>
        {
            Validator = c => labels.Any(l => string.Equals(l, c.Label?.Trim(), StringComparison.OrdinalIgnoreCase)) ? null : $"'{c.Label}' is not one of {allowed}.",
        };
        StructuredOutputResult<Classification> result = await GenerateAsync(messages, options, "llm-meta:classify", cancellationToken).ConfigureAwait(false);
        return labels.First(l => string.Equals(l, result.Value.Label?.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Asks the meta tier for a structured answer (with validation and repair).</summary>
    /// <typeparam name="T">The type of the answer.</typeparam>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">Tries, validator and JSON options.</param>
    /// <param name="purpose">The purpose recorded with the usage; <c>llm-meta:generate</c> when null.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The answer with summed usage.</returns>
    public async Task<StructuredOutputResult<T>> GenerateAsync<T>(
        IEnumerable<ChatMessage> messages, StructuredOutputOptions<T>? options = null, string? purpose = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using ModelFailoverChatClient client = _resolver.ResolveTier(Tier);
        using IDisposable scope = BeginPurpose(purpose ?? "llm-meta:generate");
        return await client.GenerateAsync(messages, options, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static IDisposable BeginPurpose(string purpose) =>
        ModelCallContext.Begin((ModelCallContext.Current ?? new ModelCallContext()) with { Purpose = purpose });

    private sealed record Classification(string? Label);
}
