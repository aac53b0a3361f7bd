namespace Executus.Lanes;

/// <summary>An intrusive FIFO of items with O(1) removal from the middle (for cancellation). Not thread-safe.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
internal sealed class FairQueueItemList<TItem>
    where TItem : FairQueueItem<TItem>
{
    private TItem? _tail;

    /// <summary>Gets the oldest item, or <see langword="null"/> when empty.</summary>
    public TItem? Head { get; private set; }

    /// <summary>Gets how many items the list holds.</summary>
    public int Count { get; private set; }

    /// <summary>Appends <paramref name="item"/>, which must not be in any list.</summary>
    /// <param name="item">The item.</param>
    /// <exception cref="InvalidOperationException">The item is already in a list.</exception>
    public void Append(TItem item)
    {
        if (item.Owner is not null)
        {
            throw new InvalidOperationException("The item is already in a list.");
        }

        item.Owner = this;
        item.Previous = _tail;
        item.Next = null;
        if (_tail is null)
        {
            Head = item;
        }
        else
        {
            _tail.Next = item;
        }

        _tail = item;
        Count++;
    }

    /// <summary>Removes and returns the oldest item, or <see langword="null"/> when empty.</summary>
    /// <returns>The item.</returns>
    public TItem? RemoveHead()
    {
        TItem? item = Head;
        if (item is not null)
        {
            Unlink(item);
        }

        return item;
    }

    /// <summary>Removes <paramref name="item"/> in O(1) if it is in this list.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> when it was in this list and was removed.</returns>
    public bool Remove(TItem item)
    {
        if (!ReferenceEquals(item.Owner, this))
        {
            return false;
        }

        Unlink(item);
        return true;
    }

    private void Unlink(TItem item)
    {
        if (item.Previous is null)
        {
            Head = item.Next;
        }
        else
        {
            item.Previous.Next = item.Next;
        }

        if (item.Next is null)
        {
            _tail = item.Previous;
        }
        else
        {
            item.Next.Previous = item.Previous;
        }

        item.Previous = null;
        item.Next = null;
        item.Owner = null;
        Count--;
    }
}
