namespace Executus.Lanes;

/// <summary>One key's (caller's or tenant's) flow in a <see cref="FairQueue{TItem}"/>. Guarded by the queue owner's lock.</summary>
/// <typeparam name="TItem">The item type.</typeparam>
internal sealed class FairQueueFlow<TItem>
    where TItem : FairQueueItem<TItem>
{
    internal FairQueueFlow(string key)
    {
        Key = key;
        RingNode = new LinkedListNode<FairQueueFlow<TItem>>(this);
    }

    /// <summary>Gets the flow's key.</summary>
    public string Key { get; }

    /// <summary>Gets the flow's queued items, oldest first.</summary>
    public FairQueueItemList<TItem> Items { get; } = new();

    /// <summary>Gets how many of the flow's items are active (dequeued or activated directly, not yet deactivated).</summary>
    public int Active { get; internal set; }

    /// <summary>
    /// Gets or sets how many of the flow's items the owner holds outside the queue (a lane's back-pressured
    /// submissions). A flow with parked items is never forgotten, so the items later join this same flow.
    /// </summary>
    public int Parked { get; set; }

    /// <summary>Gets a value indicating whether the flow is in the round-robin ring.</summary>
    public bool InRing { get; internal set; }

    /// <summary>Gets a value indicating whether nothing refers to the flow: no active, parked or queued item.</summary>
    public bool IsIdle => Active == 0 && Parked == 0 && Items.Count == 0 && !InRing;

    /// <summary>Gets the flow's node in the ring (reused, so rotating allocates nothing).</summary>
    internal LinkedListNode<FairQueueFlow<TItem>> RingNode { get; }
}
