using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>
/// Keeps a conversation inside a model's context window. The run kernel calls it before each model call; as an M.E.AI
/// <see cref="IChatReducer"/> it is available through <see cref="CompactingChatReducer"/>.
/// </summary>
public interface ICompactor
{
    /// <summary>Compacts <paramref name="messages"/> when they pass the trigger threshold of the context window.</summary>
    /// <param name="messages">The conversation; it is not modified.</param>
    /// <param name="contextWindowTokens">The model's context window in tokens; the configured default when null.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The compacted conversation and what was done.</returns>
    // Why: this shipped overload keeps its optional parameters; the longer overload below came later (RS0027).
#pragma warning disable RS0027
    ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens = null, CancellationToken cancellationToken = default);
#pragma warning restore RS0027

    /// <summary>
    /// Compacts <paramref name="messages"/> leaving room for an answer of <paramref name="reservedOutputTokens"/> tokens
    /// (the run kernel passes the request's max output tokens). A compactor that does not reserve output tokens ignores it
    /// (the default implementation).
    /// </summary>
    /// <param name="messages">The conversation; it is not modified.</param>
    /// <param name="contextWindowTokens">The model's context window in tokens; the configured default when null.</param>
    /// <param name="reservedOutputTokens">The tokens of the window the model's answer may take; 0 for none.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The compacted conversation and what was done.</returns>
    ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens, int reservedOutputTokens, CancellationToken cancellationToken) =>
        CompactAsync(messages, contextWindowTokens, cancellationToken);
}
