namespace Executus.Lanes;

/// <summary>
/// A fair queue: one FIFO per key (a <see cref="FairQueueFlow{TItem}"/>) and a round-robin ring over the keys with
/// queued items, so one key flooding the queue cannot starve another. Pure bookkeeping: no threads, no locks, no
/// clock (the owner serialises access, e.g. under its own lock).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Dequeue"/> takes the head of the first flow in the ring that is below its active cap and moves
/// that flow to the back; flows at their cap keep their turn order and are skipped.</item>
/// <item>A flow that had nothing queued enters the ring at the FRONT (fq_codel's "sparse flows"): a key's first item
/// after a quiet spell is taken next instead of waiting a whole round behind a flood. It then rotates to the back
/// like every other flow, so no key can starve another.</item>
/// <item><see cref="Remove"/> (cancellation) is O(1): items are intrusive list nodes. A flow emptied this way stays in
/// the ring until a dequeue passes it.</item>
/// <item>Up to <c>idleFlowRetention</c> idle flows are kept for reuse; past that an idle flow is forgotten.</item>
/// </list>
/// </remarks>
/// <typeparam name="TItem">The item type.</typeparam>
internal sealed class FairQueue<TItem>
    where TItem : FairQueueItem<TItem>
{
    /// <summary>How many idle flows are kept by default.</summary>
    public const int DefaultIdleFlowRetention = 1_024;

    private readonly Dictionary<string, FairQueueFlow<TItem>> _flows = new(StringComparer.Ordinal);
    private readonly LinkedList<FairQueueFlow<TItem>> _ring = new();
    private readonly int _idleFlowRetention;

    /// <summary>Initializes a new queue.</summary>
    /// <param name="maxActivePerFlow">How many items of one flow may be active at once (<see cref="int.MaxValue"/>: no cap).</param>
    /// <param name="idleFlowRetention">How many flows the queue holds before it forgets idle ones.</param>
    public FairQueue(int maxActivePerFlow = int.MaxValue, int idleFlowRetention = DefaultIdleFlowRetention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxActivePerFlow, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(idleFlowRetention);
        MaxActivePerFlow = maxActivePerFlow;
        _idleFlowRetention = idleFlowRetention;
    }

    /// <summary>Gets how many items of one flow may be active at once.</summary>
    public int MaxActivePerFlow { get; }

    /// <summary>Gets how many items are queued over all flows.</summary>
    public int Count { get; private set; }

    /// <summary>Gets how many flows the queue knows (including idle ones it retains).</summary>
    public int FlowCount => _flows.Count;

    /// <summary>Gets how many flows are in the round-robin ring.</summary>
    public int RingCount => _ring.Count;

    /// <summary>Returns the flow of <paramref name="key"/>, creating it if needed.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flow.</returns>
    public FairQueueFlow<TItem> GetFlow(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_flows.TryGetValue(key, out FairQueueFlow<TItem>? flow))
        {
            flow = new FairQueueFlow<TItem>(key);
            _flows.Add(key, flow);
        }

        return flow;
    }

    /// <summary>Returns whether one more item of <paramref name="flow"/> may become active.</summary>
    /// <param name="flow">The flow.</param>
    /// <returns><see langword="true"/> when the flow is below its active cap.</returns>
    public bool CanActivate(FairQueueFlow<TItem> flow) => flow.Active < MaxActivePerFlow;

    /// <summary>Counts an item of <paramref name="flow"/> as active without it passing through the queue.</summary>
    /// <param name="flow">The flow.</param>
    /// <exception cref="InvalidOperationException">The flow is at its active cap.</exception>
    public void Activate(FairQueueFlow<TItem> flow)
    {
        if (flow.Active >= MaxActivePerFlow)
        {
            throw new InvalidOperationException($"The flow '{flow.Key}' is at its cap of {MaxActivePerFlow} active item(s).");
        }

        flow.Active++;
    }

    /// <summary>Counts an active item of <paramref name="flow"/> as finished, forgetting the flow if it is now idle.</summary>
    /// <param name="flow">The flow.</param>
    /// <exception cref="InvalidOperationException">The flow has no active item.</exception>
    public void Deactivate(FairQueueFlow<TItem> flow)
    {
        if (flow.Active == 0)
        {
            throw new InvalidOperationException($"The flow '{flow.Key}' has no active item.");
        }

        flow.Active--;
        ReleaseIfIdle(flow);
    }

    /// <summary>Appends <paramref name="item"/> to its flow's FIFO; a flow that was out of the ring enters at the front.</summary>
    /// <param name="item">The item, with <see cref="FairQueueItem{TItem}.Flow"/> set to a flow of this queue.</param>
    /// <exception cref="InvalidOperationException">The item has no flow or is already in a list.</exception>
    public void Enqueue(TItem item)
    {
        FairQueueFlow<TItem> flow = item.Flow ?? throw new InvalidOperationException("The item has no flow.");
        flow.Items.Append(item);
        Count++;
        if (!flow.InRing)
        {
            flow.InRing = true;
            _ring.AddFirst(flow.RingNode);
        }
    }

    /// <summary>Removes a queued item in O(1) (cancellation).</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> when the item was queued and is now removed.</returns>
    public bool Remove(TItem item)
    {
        if (item.Flow is not { } flow || !flow.Items.Remove(item))
        {
            return false;
        }

        Count--;
        return true;
    }

    /// <summary>
    /// Takes the next item round-robin over the flows with queued items, skipping flows at their active cap, and
    /// counts it active.
    /// </summary>
    /// <returns>The item, or <see langword="null"/> when nothing queued may become active.</returns>
    public TItem? Dequeue()
    {
        for (int scanned = _ring.Count; scanned > 0; scanned--)
        {
            LinkedListNode<FairQueueFlow<TItem>> node = _ring.First!;
            FairQueueFlow<TItem> flow = node.Value;
            _ring.RemoveFirst();
            if (flow.Items.Count == 0)
            {
                flow.InRing = false;
                ReleaseIfIdle(flow);
                continue;
            }

            if (flow.Active >= MaxActivePerFlow)
            {
                _ring.AddLast(node);
                continue;
            }

            TItem item = flow.Items.RemoveHead()!;
            if (flow.Items.Count > 0)
            {
                _ring.AddLast(node);
            }
            else
            {
                flow.InRing = false;
            }

            Count--;
            flow.Active++;
            return item;
        }

        return null;
    }

    /// <summary>Removes every queued item, in ring order and oldest first within a flow; the ring ends empty.</summary>
    /// <returns>The removed items, or <see langword="null"/> when none was queued.</returns>
    public List<TItem>? RemoveAll()
    {
        List<TItem>? removed = null;
        while (_ring.First is { } node)
        {
            FairQueueFlow<TItem> flow = node.Value;
            _ring.RemoveFirst();
            flow.InRing = false;
            while (flow.Items.RemoveHead() is { } item)
            {
                Count--;
                (removed ??= []).Add(item);
            }

            ReleaseIfIdle(flow);
        }

        return removed;
    }

    /// <summary>Forgets <paramref name="flow"/> when it is idle and the queue holds more than its retention of flows.</summary>
    /// <param name="flow">The flow.</param>
    public void ReleaseIfIdle(FairQueueFlow<TItem> flow)
    {
        // Why: a key that goes idle usually comes back soon (a tenant's next job); keeping a bounded number of idle
        // flows avoids re-creating them per item, while many one-off keys still cannot grow the table without bound.
        if (flow.IsIdle && _flows.Count > _idleFlowRetention && _flows.TryGetValue(flow.Key, out FairQueueFlow<TItem>? current) && ReferenceEquals(current, flow))
        {
            _flows.Remove(flow.Key);
        }
    }
}
