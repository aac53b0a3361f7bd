using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>What a compaction did.</summary>
public sealed record CompactionResult
{
    /// <summary>Gets the compacted conversation (the input itself when nothing changed).</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Gets whether anything was changed.</summary>
    public bool Changed { get; init; }

    /// <summary>Gets the estimated tokens before compaction.</summary>
    public int TokensBefore { get; init; }

    /// <summary>Gets the estimated tokens after compaction.</summary>
    public int TokensAfter { get; init; }

    /// <summary>Gets the token count compaction aimed at (when triggered), else the trigger threshold.</summary>
    public int TargetTokens { get; init; }

    /// <summary>Gets whether the result is within <see cref="TargetTokens"/> (false when even the protected turns exceed it).</summary>
    public bool WithinTarget => TokensAfter <= TargetTokens;

    /// <summary>Gets how many oversized tool results were trimmed.</summary>
    public int TrimmedToolResults { get; init; }

    /// <summary>
    /// Gets how many pinned messages (system messages, the first user message) had their middles trimmed because pinned
    /// content alone exceeded the target.
    /// </summary>
    public int TrimmedPinnedMessages { get; init; }

    /// <summary>
    /// Gets whether the target could be reached at all: false when the pinned messages (after trimming) and the protected
    /// recent turns alone exceed it, in which case no turn was dropped unless the conversation exceeded the window.
    /// </summary>
    public bool TargetReachable { get; init; } = true;

    /// <summary>Gets how many old tool results were replaced by an eviction marker.</summary>
    public int EvictedToolResults { get; init; }

    /// <summary>Gets how many messages were replaced by a summary.</summary>
    public int SummarizedMessages { get; init; }

    /// <summary>Gets how many messages were dropped without a summary.</summary>
    public int RemovedMessages { get; init; }

    /// <summary>Gets the summary text, when one was made.</summary>
    public string? Summary { get; init; }
}
