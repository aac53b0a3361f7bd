using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Checkpoints;

/// <summary>
/// The default <see cref="ICheckpointStore"/>: checkpoints in this process's memory. Each message is kept once (a save
/// appends only the messages after the unchanged prefix) together with a small head record replaced per save. It is
/// also an <see cref="IRunLeaseStore"/> (leases between the hosts of one process, e.g. in tests).
/// </summary>
/// <remarks>
/// <para><b>It does not survive a restart</b> — the very event checkpoints exist for. It is the default so wiring works
/// with zero configuration, and it still gives an in-process resume (a run cancelled by <c>RunHandle</c>/shutdown can be
/// resumed by id while the process lives). A host that must resume after a crash or redeploy registers a durable
/// store (the SQLite or PostgreSQL store of <c>Executus.Contrib.*</c>, or its own).</para>
/// <para>It keeps the <see cref="ChatMessage"/> objects it is given, not copies (as Agent Framework's in-memory
/// message store does): the kernel never changes a message once it is in a run's transcript, so what was saved stays
/// what was saved. Code that saves messages it later changes itself must hand this store copies. Why not serialize
/// each message at save time: that JSON was most of a checkpointed run's overhead (issue 13), and it protected only
/// against changes the kernel does not make; the durable stores serialize anyway.</para>
/// </remarks>
public sealed class InMemoryCheckpointStore : ICheckpointStore, IRunLeaseStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, LeaseEntry> _leases = new(StringComparer.Ordinal);
    private long _messagesWritten;

    /// <summary>Gets how many messages the store has appended since it was created (each message is stored once).</summary>
    public long MessagesWritten => Interlocked.Read(ref _messagesWritten);

    /// <summary>Gets how many runs have a checkpoint.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(unchangedMessageCount);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ChatMessage> messages = checkpoint.Messages;

        // Why: the head must not keep the kernel's live transcript view (it grows after this save).
        RunCheckpoint head = checkpoint with { Messages = [] };
        lock (_lock)
        {
            if (!_entries.TryGetValue(checkpoint.RunId, out Entry? entry))
            {
                entry = new Entry();
                _entries.Add(checkpoint.RunId, entry);
            }

            int keep = Math.Min(unchangedMessageCount, Math.Min(entry.Messages.Count, messages.Count));
            entry.Messages.RemoveRange(keep, entry.Messages.Count - keep);
            for (int i = keep; i < messages.Count; i++)
            {
                entry.Messages.Add(messages[i]);
            }

            entry.Head = head;
            entry.MessageCount = messages.Count;
            _messagesWritten += messages.Count - keep;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.TryGetValue(runId, out Entry? entry)
                ? entry.Head with { Messages = [.. entry.Messages] }
                : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        cancellationToken.ThrowIfCancellationRequested();
        var items = new List<CheckpointSummary>(Math.Min(limit, 64));
        bool more = false;
        lock (_lock)
        {
            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (cursor is not null && string.CompareOrdinal(pair.Key, cursor) <= 0)
                {
                    continue;
                }

                if (items.Count == limit)
                {
                    more = true;
                    break;
                }

                items.Add(Summarize(pair.Value.Head, pair.Value.MessageCount, pair.Value.ResumeAttempts));
            }
        }

        return ValueTask.FromResult(new CheckpointPage(items, more ? items[^1].RunId : null));
    }

    /// <inheritdoc />
    public ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_entries.TryGetValue(runId, out Entry? entry) ? ++entry.ResumeAttempts : 0);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_entries.TryGetValue(runId, out Entry? entry))
            {
                return ValueTask.FromResult(false);
            }

            entry.ResumeAttempts = 0;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _leases.Remove(runId);
            return ValueTask.FromResult(_entries.Remove(runId));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            string[] old = [.. _entries.Where(p => p.Value.Head.SavedAt < savedBefore).Select(p => p.Key)];
            foreach (string runId in old)
            {
                _entries.Remove(runId);
                _leases.Remove(runId);
            }

            return ValueTask.FromResult(old.Length);
        }
    }

    /// <inheritdoc />
    public ValueTask<RunLease?> TryClaimAsync(string runId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        lock (_lock)
        {
            if (!_leases.TryGetValue(runId, out LeaseEntry? lease))
            {
                lease = new LeaseEntry();
                _leases.Add(runId, lease);
            }
            else if (lease.IsLive(now))
            {
                if (!string.Equals(lease.Owner, owner, StringComparison.Ordinal))
                {
                    return ValueTask.FromResult<RunLease?>(null);
                }

                lease.ExpiresAt = expires;
                return ValueTask.FromResult<RunLease?>(lease.ToLease(runId));
            }

            lease.Owner = owner;
            lease.ExpiresAt = expires;
            lease.Token++;
            return ValueTask.FromResult<RunLease?>(lease.ToLease(runId));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLease>> RenewAsync(string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        var renewed = new List<RunLease>();
        lock (_lock)
        {
            foreach (KeyValuePair<string, LeaseEntry> pair in _leases)
            {
                if (string.Equals(pair.Value.Owner, owner, StringComparison.Ordinal))
                {
                    pair.Value.ExpiresAt = expires;
                    renewed.Add(pair.Value.ToLease(pair.Key));
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<RunLease>>(renewed);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLease>> ClaimInterruptedAsync(string owner, DateTimeOffset now, TimeSpan duration, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        var claimed = new List<RunLease>();
        lock (_lock)
        {
            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (claimed.Count == limit)
                {
                    break;
                }

                if (pair.Value.Head.PausedReason is not null)
                {
                    continue;
                }

                if (!_leases.TryGetValue(pair.Key, out LeaseEntry? lease))
                {
                    lease = new LeaseEntry();
                    _leases.Add(pair.Key, lease);
                }
                else if (lease.IsLive(now))
                {
                    continue;
                }

                lease.Owner = owner;
                lease.ExpiresAt = expires;
                lease.Token++;
                claimed.Add(lease.ToLease(pair.Key));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<RunLease>>(claimed);
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_leases.TryGetValue(lease.RunId, out LeaseEntry? current)
                || current.Token != lease.Token
                || !string.Equals(current.Owner, lease.Owner, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(false);
            }

            current.Owner = null;
            current.ExpiresAt = DateTimeOffset.MinValue;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> ReleaseAllAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        cancellationToken.ThrowIfCancellationRequested();
        int released = 0;
        lock (_lock)
        {
            foreach (LeaseEntry lease in _leases.Values)
            {
                if (string.Equals(lease.Owner, owner, StringComparison.Ordinal))
                {
                    lease.Owner = null;
                    lease.ExpiresAt = DateTimeOffset.MinValue;
                    released++;
                }
            }
        }

        return ValueTask.FromResult(released);
    }

    /// <inheritdoc />
    public ValueTask<RunLease?> GetLeaseAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_leases.TryGetValue(runId, out LeaseEntry? lease) && lease.Owner is not null ? lease.ToLease(runId) : null);
        }
    }

    /// <summary>Builds the listing record of a checkpoint.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="messageCount">How many messages the checkpoint holds.</param>
    /// <param name="resumeAttempts">The run's resume attempts.</param>
    /// <returns>The summary.</returns>
    internal static CheckpointSummary Summarize(RunCheckpoint checkpoint, int messageCount, int resumeAttempts) => new()
    {
        RunId = checkpoint.RunId,
        AgentName = checkpoint.Agent.Name,
        AgentVersion = checkpoint.Agent.Version,
        CallerId = checkpoint.Caller.Id,
        FairnessKey = checkpoint.Caller.FairnessKey,
        Iteration = checkpoint.Iteration,
        MessageCount = messageCount,
        SavedAt = checkpoint.SavedAt,
        ResumeAttempts = resumeAttempts,
        PausedReason = checkpoint.PausedReason,
    };

    private sealed class Entry
    {
        public RunCheckpoint Head { get; set; } = null!;

        public List<ChatMessage> Messages { get; } = [];

        public int MessageCount { get; set; }

        public int ResumeAttempts { get; set; }
    }

    private sealed class LeaseEntry
    {
        public string? Owner { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public long Token { get; set; }

        public bool IsLive(DateTimeOffset now) => Owner is not null && ExpiresAt > now;

        public RunLease ToLease(string runId) => new(runId, Owner!, ExpiresAt, Token);
    }
}
