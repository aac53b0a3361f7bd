using Executus.Lanes;

namespace Executus.Core.Tests.Lanes;

/// <summary>The lane's fair queue on its own: no lane, no threads, no clock.</summary>
public sealed class FairQueueTests
{
    private sealed class Item(string name) : FairQueueItem<Item>
    {
        public string Name { get; } = name;

        public override string ToString() => Name;
    }

    private static Item Add(FairQueue<Item> queue, string key, string name)
    {
        var item = new Item(name) { Flow = queue.GetFlow(key) };
        queue.Enqueue(item);
        return item;
    }

    private static List<string> DrainNames(FairQueue<Item> queue, bool deactivate = true)
    {
        var names = new List<string>();
        while (queue.Dequeue() is { } item)
        {
            names.Add(item.Name);
            if (deactivate)
            {
                queue.Deactivate(item.Flow!);
            }
        }

        return names;
    }

    [Fact]
    public void Dequeue_goes_round_robin_over_flows_and_FIFO_within_a_flow()
    {
        var queue = new FairQueue<Item>();
        Add(queue, "a", "a1");
        Add(queue, "a", "a2");
        Add(queue, "a", "a3");
        Add(queue, "b", "b1");
        Add(queue, "b", "b2");
        Add(queue, "c", "c1");

        Assert.Equal(6, queue.Count);

        // c entered last with nothing queued, so it is at the front; then b, then a; each flow rotates to the back.
        Assert.Equal(["c1", "b1", "a1", "b2", "a2", "a3"], DrainNames(queue));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.RingCount);
    }

    [Fact]
    public void A_flow_with_nothing_queued_enters_at_the_front_then_rotates_like_the_others()
    {
        var queue = new FairQueue<Item>();
        for (int i = 1; i <= 4; i++)
        {
            Add(queue, "flood", $"f{i}");
        }

        Assert.Equal("f1", queue.Dequeue()!.Name);

        // A quiet key's first item takes the very next turn, ahead of the flood's backlog...
        Add(queue, "quiet", "q1");
        Add(queue, "quiet", "q2");
        Assert.Equal("q1", queue.Dequeue()!.Name);

        // ...and then the key rotates to the back of the ring like everyone else.
        Assert.Equal(["f2", "q2", "f3", "f4"], DrainNames(queue, deactivate: false));
    }

    [Fact]
    public void Flows_at_their_active_cap_are_skipped_and_keep_their_turn()
    {
        var queue = new FairQueue<Item>(maxActivePerFlow: 1);
        Add(queue, "a", "a1");
        Add(queue, "a", "a2");
        Add(queue, "b", "b1");
        Add(queue, "b", "b2");

        Item b1 = queue.Dequeue()!;
        Item a1 = queue.Dequeue()!;
        Assert.Equal(["b1", "a1"], new[] { b1.Name, a1.Name });
        Assert.Null(queue.Dequeue()); // both flows at their cap of one active item
        Assert.Equal(2, queue.Count);

        queue.Deactivate(a1.Flow!);
        Assert.Equal("a2", queue.Dequeue()!.Name); // b is still capped, so a goes ahead of it
        Assert.Null(queue.Dequeue());

        queue.Deactivate(b1.Flow!);
        Assert.Equal("b2", queue.Dequeue()!.Name);
        Assert.Equal(2, queue.GetFlow("a").Active + queue.GetFlow("b").Active);
    }

    [Fact]
    public void Activate_counts_against_the_cap_without_passing_through_the_queue()
    {
        var queue = new FairQueue<Item>(maxActivePerFlow: 2);
        FairQueueFlow<Item> flow = queue.GetFlow("a");
        Assert.True(queue.CanActivate(flow));
        queue.Activate(flow);
        queue.Activate(flow);
        Assert.False(queue.CanActivate(flow));
        Assert.Throws<InvalidOperationException>(() => queue.Activate(flow));

        Add(queue, "a", "a1");
        Assert.Null(queue.Dequeue());
        queue.Deactivate(flow);
        Assert.Equal("a1", queue.Dequeue()!.Name);
    }

    [Fact]
    public void Remove_takes_an_item_out_of_the_middle_and_keeps_the_order_of_the_rest()
    {
        var queue = new FairQueue<Item>();
        Add(queue, "a", "a1");
        Item a2 = Add(queue, "a", "a2");
        Add(queue, "a", "a3");
        Item a4 = Add(queue, "a", "a4");

        Assert.True(queue.Remove(a2));
        Assert.True(queue.Remove(a4)); // the tail
        Assert.False(queue.Remove(a2)); // already removed
        Assert.Null(a2.Previous);
        Assert.Null(a2.Next);
        Assert.Equal(2, queue.Count);
        Assert.Equal(["a1", "a3"], DrainNames(queue));
    }

    [Fact]
    public void Remove_is_constant_time_whatever_the_queue_length()
    {
        // Why: "O(1)" is checked structurally — removing an item touches only its neighbours, so removing every
        // second item of a long flow leaves exact links — rather than by timing.
        var queue = new FairQueue<Item>();
        var items = new List<Item>();
        for (int i = 0; i < 10_000; i++)
        {
            items.Add(Add(queue, "a", $"a{i}"));
        }

        for (int i = 1; i < items.Count; i += 2)
        {
            Assert.True(queue.Remove(items[i]));
        }

        Assert.Equal(5_000, queue.Count);
        Assert.Same(items[2], items[0].Next);
        Assert.Same(items[0], items[2].Previous);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => $"a{i * 2}"), DrainNames(queue));
    }

    [Fact]
    public void Removing_a_flows_only_item_leaves_it_in_the_ring_until_a_dequeue_passes_it()
    {
        var queue = new FairQueue<Item>();
        Add(queue, "a", "a1");
        Item b1 = Add(queue, "b", "b1");
        Assert.True(queue.Remove(b1));
        Assert.Equal(2, queue.RingCount);

        Assert.Equal("a1", queue.Dequeue()!.Name);
        Assert.Equal(0, queue.RingCount);
        Assert.False(queue.GetFlow("b").InRing);
    }

    [Fact]
    public void RemoveAll_empties_the_queue_in_ring_order()
    {
        var queue = new FairQueue<Item>();
        Add(queue, "a", "a1");
        Add(queue, "a", "a2");
        Add(queue, "b", "b1");

        List<Item>? removed = queue.RemoveAll();

        Assert.Equal(["b1", "a1", "a2"], removed!.Select(i => i.Name));
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.RingCount);
        Assert.Null(queue.Dequeue());
        Assert.Null(queue.RemoveAll());
    }

    [Fact]
    public void Idle_flows_are_forgotten_past_the_retention_but_parked_or_active_ones_are_kept()
    {
        var queue = new FairQueue<Item>(idleFlowRetention: 1);
        Add(queue, "a", "a1");
        Add(queue, "b", "b1");
        FairQueueFlow<Item> parked = queue.GetFlow("c");
        parked.Parked = 1;
        Assert.Equal(3, queue.FlowCount);

        Item b1 = queue.Dequeue()!;
        Item a1 = queue.Dequeue()!;
        queue.Deactivate(b1.Flow!);
        Assert.Equal(2, queue.FlowCount); // b went idle and was forgotten
        queue.ReleaseIfIdle(parked);
        Assert.Equal(2, queue.FlowCount); // c has a parked item: kept

        queue.Deactivate(a1.Flow!);
        Assert.Equal(1, queue.FlowCount); // a forgotten; only the parked flow is left
        Assert.Same(parked, queue.GetFlow("c"));
    }

    [Fact]
    public void Misuse_is_refused_with_a_clear_exception()
    {
        var queue = new FairQueue<Item>();
        Item a1 = Add(queue, "a", "a1");
        Assert.Throws<InvalidOperationException>(() => queue.Enqueue(a1)); // already queued
        Assert.Throws<InvalidOperationException>(() => queue.Enqueue(new Item("orphan"))); // no flow
        Assert.Throws<InvalidOperationException>(() => queue.Deactivate(queue.GetFlow("b"))); // nothing active
        Assert.Throws<ArgumentOutOfRangeException>(() => new FairQueue<Item>(maxActivePerFlow: 0));
        Assert.False(queue.Remove(new Item("stranger") { Flow = queue.GetFlow("a") }));
        Assert.Equal(1, queue.Count);
    }
}
