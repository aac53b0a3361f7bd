namespace Executus.Lanes;

/// <summary>An intrusive FIFO of jobs with O(1) removal from the middle (for cancellation). Not thread-safe.</summary>
internal sealed class LaneJobList
{
    public LaneJob? Head { get; private set; }

    public int Count { get; private set; }

    private LaneJob? _tail;

    public void Append(LaneJob job)
    {
        job.Previous = _tail;
        job.Next = null;
        if (_tail is null)
        {
            Head = job;
        }
        else
        {
            _tail.Next = job;
        }

        _tail = job;
        Count++;
    }

    public LaneJob? RemoveHead()
    {
        LaneJob? job = Head;
        if (job is not null)
        {
            Remove(job);
        }

        return job;
    }

    public void Remove(LaneJob job)
    {
        if (job.Previous is null)
        {
            Head = job.Next;
        }
        else
        {
            job.Previous.Next = job.Next;
        }

        if (job.Next is null)
        {
            _tail = job.Previous;
        }
        else
        {
            job.Next.Previous = job.Previous;
        }

        job.Previous = null;
        job.Next = null;
        Count--;
    }
}
