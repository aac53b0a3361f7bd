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
    ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens = null, CancellationToken cancellationToken = default);
}
