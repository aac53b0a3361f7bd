using System.Collections;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// The first <see cref="Count"/> messages of a run's transcript, without copying them: what a checkpoint hands its port.
/// </summary>
/// <remarks>
/// Why this is safe without a copy: the kernel only ever appends to a transcript list (compaction starts a new list), so
/// the messages below a view's count never change, and reading them by index is safe while the run appends past them
/// (a <see cref="List{T}"/> that grows copies its items to a new array; both arrays hold them).
/// </remarks>
internal sealed class TranscriptView : IReadOnlyList<ChatMessage>
{
    private readonly List<ChatMessage> _messages;

    public TranscriptView(List<ChatMessage> messages)
    {
        _messages = messages;
        Count = messages.Count;
    }

    public int Count { get; }

    public ChatMessage this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _messages[index];
        }
    }

    public IEnumerator<ChatMessage> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return _messages[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
