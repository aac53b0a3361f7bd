using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Checkpoints;

/// <summary>
/// The default <see cref="ICheckpointStore"/>: checkpoints in this process's memory, each message stored once as
/// UTF-8 JSON with its sequence number and a small head record rewritten per save. It is also an
/// <see cref="IRunLeaseStore"/> (leases between the hosts of one process, e.g. in tests).
/// </summary>
/// <remarks>
/// <b>It does not survive a restart</b> — the very event checkpoints exist for. It is the default so wiring works with
/// zero configuration, and it still gives an in-process resume (a run cancelled by <c>RunHandle</c>/shutdown can be
/// resumed by id while the process lives). A host that must resume after a crash or redeploy registers a durable
/// store (the SQLite store of <c>Executus.Contrib.Sqlite</c>, or its own).
/// </remarks>
public sealed class InMemoryCheckpointStore : ICheckpointStore, IRunLeaseStore
{
    private static readonly JsonTypeInfo<ChatMessage> s_messageInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
    private static readonly JsonTypeInfo<RunCheckpoint> s_headInfo = (JsonTypeInfo<RunCheckpoint>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RunCheckpoint));

    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, LeaseEntry> _leases = new(StringComparer.Ordinal);
    private long _bytesWritten;

    /// <summary>Gets how many bytes of JSON (heads and messages) the store has written since it was created.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

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
        byte[] head = JsonSerializer.SerializeToUtf8Bytes(checkpoint with { Messages = [] }, s_headInfo);
        lock (_lock)
        {
            if (!_entries.TryGetValue(checkpoint.RunId, out Entry? entry))
            {
                entry = new Entry();
                _entries.Add(checkpoint.RunId, entry);
            }

            int keep = Math.Min(unchangedMessageCount, Math.Min(entry.Messages.Count, messages.Count));
            entry.Messages.RemoveRange(keep, entry.Messages.Count - keep);
            long written = head.Length;
            for (int i = keep; i < messages.Count; i++)
            {
                // Why: serialized at save time, so a later change to a live ChatMessage cannot alter what was saved.
                byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(messages[i], s_messageInfo);
                entry.Messages.Add(bytes);
                written += bytes.Length;
            }

            entry.Head = head;
            entry.Summary = Summarize(checkpoint, entry.ResumeAttempts);
            _bytesWritten += written;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] head;
        byte[][] messages;
        lock (_lock)
        {
            if (!_entries.TryGetValue(runId, out Entry? entry))
            {
                return ValueTask.FromResult<RunCheckpoint?>(null);
            }

            (head, messages) = (entry.Head, [.. entry.Messages]);
        }

        RunCheckpoint checkpoint = JsonSerializer.Deserialize(head, s_headInfo)!;
        var list = new ChatMessage[messages.Length];
        for (int i = 0; i < messages.Length; i++)
        {
            list[i] = JsonSerializer.Deserialize(messages[i], s_messageInfo)!;
        }

        return ValueTask.FromResult<RunCheckpoint?>(checkpoint with { Messages = list });
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

                items.Add(pair.Value.Summary with { ResumeAttempts = pair.Value.ResumeAttempts });
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
            string[] old = [.. _entries.Where(p => p.Value.Summary.SavedAt < savedBefore).Select(p => p.Key)];
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

                if (pair.Value.Summary.PausedReason is not null)
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
    /// <param name="resumeAttempts">The run's resume attempts.</param>
    /// <returns>The summary.</returns>
    internal static CheckpointSummary Summarize(RunCheckpoint checkpoint, int resumeAttempts) => new()
    {
        RunId = checkpoint.RunId,
        AgentName = checkpoint.Agent.Name,
        AgentVersion = checkpoint.Agent.Version,
        CallerId = checkpoint.Caller.Id,
        FairnessKey = checkpoint.Caller.FairnessKey,
        Iteration = checkpoint.Iteration,
        MessageCount = checkpoint.Messages.Count,
        SavedAt = checkpoint.SavedAt,
        ResumeAttempts = resumeAttempts,
        PausedReason = checkpoint.PausedReason,
    };

    private sealed class Entry
    {
        public byte[] Head { get; set; } = [];

        public List<byte[]> Messages { get; } = [];

        public CheckpointSummary Summary { get; set; } = null!;

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
