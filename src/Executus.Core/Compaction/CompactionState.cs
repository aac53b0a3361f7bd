using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>
/// What a <see cref="CompactionTrigger"/> or <see cref="CompactionTarget"/> sees of a conversation about to be compacted:
/// the window, the tokens reserved for the answer and the conversation's size by the registered
/// <see cref="ITokenCounter"/>.
/// </summary>
/// <param name="ContextWindowTokens">The model's context window in tokens.</param>
/// <param name="ReservedOutputTokens">The tokens of the window reserved for the model's answer.</param>
/// <param name="Tokens">The conversation's tokens (after oversized tool results were trimmed).</param>
/// <param name="Messages">The conversation.</param>
public readonly record struct CompactionState(int ContextWindowTokens, int ReservedOutputTokens, long Tokens, IReadOnlyList<ChatMessage> Messages)
{
    /// <summary>Gets the tokens of the window left for the conversation: the window less the reserved output tokens.</summary>
    public int UsableTokens => ContextWindowTokens - ReservedOutputTokens;
}
