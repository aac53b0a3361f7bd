namespace Executus.Lanes;

/// <summary>
/// An item of a <see cref="FairQueue{TItem}"/>. Each item is its own intrusive list node (it sits in at most one
/// <see cref="FairQueueItemList{TItem}"/> at a time), so queueing, dequeueing and removing allocate nothing.
/// </summary>
/// <typeparam name="TItem">The concrete item type.</typeparam>
internal abstract class FairQueueItem<TItem>
    where TItem : FairQueueItem<TItem>
{
    /// <summary>Gets or sets the flow (key) the item belongs to; set before the item is queued.</summary>
    public FairQueueFlow<TItem>? Flow { get; set; }

    /// <summary>Gets the previous item of the list the item is in.</summary>
    public TItem? Previous { get; internal set; }

    /// <summary>Gets the next item of the list the item is in.</summary>
    public TItem? Next { get; internal set; }

    /// <summary>Gets the list the item is in, or <see langword="null"/>.</summary>
    internal FairQueueItemList<TItem>? Owner { get; set; }
}
