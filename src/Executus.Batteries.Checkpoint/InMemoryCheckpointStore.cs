using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Checkpoints;

/// <summary>
/// The default <see cref="ICheckpointStore"/>: checkpoints in this process's memory, each message stored once as
/// UTF-8 JSON with its sequence number and a small head record rewritten per save.
/// </summary>
/// <remarks>
/// <b>It does not survive a restart</b> — the very event checkpoints exist for. It is the default so wiring works with
/// zero configuration, and it still gives an in-process resume (a run cancelled by <c>RunHandle</c>/shutdown can be
/// resumed by id while the process lives). A host that must resume after a crash or redeploy registers a durable
/// store (the SQLite store of <c>Executus.Contrib.Sqlite</c>, or its own).
/// </remarks>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private static readonly JsonTypeInfo<ChatMessage> s_messageInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
    private static readonly JsonTypeInfo<RunCheckpoint> s_headInfo = (JsonTypeInfo<RunCheckpoint>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RunCheckpoint));

    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
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
            }

            return ValueTask.FromResult(old.Length);
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
}
