using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>Adapts an <see cref="ICompactor"/> to M.E.AI's <see cref="IChatReducer"/> (e.g. for <c>UseChatReducer</c>).</summary>
public sealed class CompactingChatReducer : IChatReducer
{
    private readonly ICompactor _compactor;
    private readonly int? _contextWindowTokens;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="compactor">The compactor.</param>
    /// <param name="contextWindowTokens">The model's context window; the compactor's default when null.</param>
    public CompactingChatReducer(ICompactor compactor, int? contextWindowTokens = null)
    {
        ArgumentNullException.ThrowIfNull(compactor);
        if (contextWindowTokens is { } window)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(window, 1, nameof(contextWindowTokens));
        }

        _compactor = compactor;
        _contextWindowTokens = contextWindowTokens;
    }

    /// <inheritdoc />
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        CompactionResult result = await _compactor.CompactAsync(list, _contextWindowTokens, cancellationToken).ConfigureAwait(false);
        return result.Messages;
    }
}
