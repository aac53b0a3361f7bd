namespace Executus.Lanes;

/// <summary>Per-key (caller or tenant) bookkeeping of a lane; guarded by the lane's lock.</summary>
internal sealed class LaneKeyState
{
    public LaneKeyState(string key)
    {
        Key = key;
        RingNode = new LinkedListNode<LaneKeyState>(this);
    }

    public string Key { get; }

    /// <summary>Gets the key's node in the lane's round-robin ring (reused, so rotating allocates nothing).</summary>
    public LinkedListNode<LaneKeyState> RingNode { get; }

    /// <summary>Gets the key's queued jobs, oldest first.</summary>
    public LaneJobList Queue { get; } = new();

    /// <summary>Gets or sets how many of the key's jobs are running.</summary>
    public int Running { get; set; }

    /// <summary>Gets or sets how many of the key's submissions wait for room in the lane's queue.</summary>
    public int Waiting { get; set; }

    /// <summary>Gets or sets a value indicating whether the key is in the lane's round-robin ring.</summary>
    public bool InRing { get; set; }

    public bool IsIdle => Running == 0 && Waiting == 0 && Queue.Count == 0 && !InRing;
}
