using Executus.Auditing;
using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Batteries.Audit;

/// <summary>
/// The default <see cref="IAuditStore"/>: records in memory, ordered by observed time then id, with retention by age
/// (against the store's <see cref="TimeProvider"/>) and/or count applied at every append and read (the
/// <see cref="AuditWriter"/>'s inline appends apply it in steps of 64 records; <see cref="Count"/> and queries never see
/// more than the retention keeps).
/// </summary>
/// <remarks>
/// Records are kept as values in fixed-size chunks (the event's fields, its id and written time), not as objects, their
/// tool arguments as JSON text and their run ids as text in reused blocks (a queried record carries them as
/// <see cref="AuditEvent.Arguments"/> and <see cref="AuditEvent.RunId"/>),
/// and an <see cref="AuditRecord"/> is built again when a query returns it: a store holding its full count of records then
/// costs the garbage collector a few arrays instead of several objects per record, and chunks dropped by retention are
/// reused.
/// </remarks>
public sealed class InMemoryAuditStore : IAuditStore
{
    /// <summary>The retention used when none is given: 100,000 records and 30 days.</summary>
    public static readonly AuditRetention DefaultRetention = new(TimeSpan.FromDays(30), 100_000);

    // Why: 256 entries make a chunk of about 45 KB, below the large object heap's threshold: a growing store's chunks are
    // promoted like any object instead of each large allocation pushing the collector towards a full collection.
    private const int ChunkShift = 8;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;

    private readonly Lock _gate = new();
    private readonly List<Entry[]> _chunks = [];
    private readonly AuditRetention _retention;
    private readonly TimeProvider _time;
    private readonly AuditArgumentArena _arguments = new();
    private Entry[]? _spare;
    private readonly CanonicalNames _names = new();
    private string? _lastRunId;
    private AuditArgumentArena.Slice _lastRunIdText;
    private int _lastRunIdGeneration;

    // Why: retention drops from the front; moving a head index (and dropping whole chunks) keeps an append at the count
    // limit O(1) instead of shifting every record.
    private int _head;
    private int _end;
    private int _appendsSinceAgeCheck;

    /// <summary>Initializes a new empty store.</summary>
    /// <param name="retention">How long records are kept; <see cref="DefaultRetention"/> when null.</param>
    /// <param name="timeProvider">The clock retention by age is measured against; the system clock when null.</param>
    public InMemoryAuditStore(AuditRetention? retention = null, TimeProvider? timeProvider = null)
    {
        _retention = retention ?? DefaultRetention;
        _retention.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets how many records are held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                ApplyRetentionLocked();
                return _end - _head;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        for (int i = 0; i < records.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(records[i], nameof(records));
        }

        lock (_gate)
        {
            for (int i = 0; i < records.Count; i++)
            {
                AuditRecord record = records[i];
                AppendLocked(record.Event, record.IdGuid, record.IdText, record.WrittenAt, record.Outcome);
            }

            ApplyRetentionLocked();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stores redacted events with the writer's ids without building an <see cref="AuditRecord"/> for each (the
    /// <see cref="AuditWriter"/>'s path to this store).
    /// </summary>
    internal void Append(ReadOnlySpan<(AuditEvent Event, Guid Id)> events, DateTimeOffset writtenAt)
    {
        lock (_gate)
        {
            foreach ((AuditEvent auditEvent, Guid id) in events)
            {
                AppendLocked(auditEvent, id, null, writtenAt, AuditOutcomes.Of(auditEvent));
            }

            ApplyRetentionLocked();
        }
    }

    /// <summary>
    /// Stores one redacted event if the store is free at once (the <see cref="AuditWriter"/>'s inline path); false when
    /// another thread holds it.
    /// </summary>
    internal bool TryAppend(AuditEvent auditEvent, Guid id, DateTimeOffset writtenAt)
    {
        if (!_gate.TryEnter())
        {
            return false;
        }

        try
        {
            AppendLocked(auditEvent, id, null, writtenAt, AuditOutcomes.Of(auditEvent));

            // Why: age retention reads the clock, and dropping one old record per append touches memory far behind the
            // newest; checking age every 64 appends and dropping by count 64 records at a time (walking them in order)
            // bounds the extra records held to 64. Queries and Count apply retention in full before they read.
            ApplyRetentionLocked(checkAge: (++_appendsSinceAgeCheck & 63) == 0, countSlack: 64);
        }
        finally
        {
            _gate.Exit();
        }

        return true;
    }

    /// <inheritdoc />
    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        AuditCursor? cursor = query.Cursor is null ? null : AuditCursor.Parse(query.Cursor);
        var page = new List<AuditRecord>(Math.Min(query.Limit, 64));
        bool more = false;
        lock (_gate)
        {
            ApplyRetentionLocked();
            for (int i = _end - 1; i >= _head; i--)
            {
                ref Entry entry = ref At(i);
                if (cursor is { } c && !c.Precedes(entry.ObservedAt, entry.Id))
                {
                    continue;
                }

                if (query.Since is { } since && entry.ObservedAt < since)
                {
                    break;
                }

                if (!entry.Matches(query))
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                page.Add(entry.ToRecord());
            }
        }

        string? next = more ? AuditCursor.After(page[^1]).ToString() : null;
        return ValueTask.FromResult(new AuditPage(page, next));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var counts = new SortedDictionary<string, (long Calls, long Errors, long Denials)>(StringComparer.Ordinal);
        lock (_gate)
        {
            ApplyRetentionLocked();
            for (int i = _head; i < _end; i++)
            {
                ref Entry entry = ref At(i);
                if (entry.ToolName is not { } tool || entry.ObservedAt < since || entry.ObservedAt > until)
                {
                    continue;
                }

                counts.TryGetValue(tool, out (long Calls, long Errors, long Denials) row);
                if (entry.Kind == AuditEventKind.ToolCall)
                {
                    row.Calls++;
                    if (string.Equals(entry.Outcome, AuditOutcomes.Error, StringComparison.OrdinalIgnoreCase))
                    {
                        row.Errors++;
                    }
                }
                else if (entry.Kind == AuditEventKind.ToolDenied)
                {
                    row.Denials++;
                }
                else
                {
                    continue;
                }

                counts[tool] = row;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ToolCallCounts>>([.. counts.Select(p => new ToolCallCounts(p.Key, p.Value.Calls, p.Value.Errors, p.Value.Denials))]);
    }

    /// <summary>Stores one event: finds its place, then writes its record into that slot.</summary>
    /// <remarks>Why: a record is a large struct; built in its slot it is not copied two or three times on the way.</remarks>
    private void AppendLocked(AuditEvent auditEvent, Guid idGuid, string? idText, DateTimeOffset writtenAt, string? outcome)
    {
        AuditArgumentArena.Slice arguments = _arguments.Write(auditEvent);
        AuditArgumentArena.Slice runId = RunIdTextLocked(auditEvent.RunId);
        ref Entry entry = ref SlotLocked(auditEvent.Timestamp.UtcTicks, idGuid, idText);
        entry.Fill(auditEvent, idGuid, idText, writtenAt, outcome);
        entry.Arguments = arguments;
        entry.RunId = runId;
        entry.ToolName = _names.Get(auditEvent.ToolName);
        entry.Model = _names.Get(auditEvent.Model);
    }

    /// <summary>
    /// The run id as text in the arena. Why: a run's id is a new string per run, referenced by each of its records; held
    /// by the store's (old) chunks, it kept their cards marked until a gen1 collection, and every gen0 collection scanned
    /// the whole store (a 10,000-record store made each one several times slower). A run's records share one text.
    /// </summary>
    private AuditArgumentArena.Slice RunIdTextLocked(string? runId)
    {
        if (runId is null)
        {
            return default;
        }

        // Why: the block's generation says whether it was given up for reuse since (all its records dropped).
        if (_lastRunId is { } last && string.Equals(last, runId, StringComparison.Ordinal)
            && _lastRunIdText.Block is { } block && block.Generation == _lastRunIdGeneration)
        {
            return AuditArgumentArena.AddReader(in _lastRunIdText);
        }

        _lastRunIdText = _arguments.StoreText(runId);
        _lastRunIdGeneration = _lastRunIdText.Block!.Generation;
        _lastRunId = runId;
        return _lastRunIdText;
    }

    private ref Entry At(int index) => ref _chunks[index >> ChunkShift][index & ChunkMask];

    /// <summary>Makes room for a record observed at <paramref name="ticks"/> and returns its slot (holding stale data).</summary>
    private ref Entry SlotLocked(long ticks, Guid idGuid, string? idText)
    {
        if ((_end >> ChunkShift) == _chunks.Count)
        {
            _chunks.Add(_spare ?? new Entry[ChunkSize]);
            _spare = null;
        }

        // Records arrive almost in order: walk back from the end to the first one that is not later.
        int index = _end;
        while (index > _head && Entry.Compare(in At(index - 1), ticks, idGuid, idText) > 0)
        {
            index--;
        }

        for (int i = _end; i > index; i--)
        {
            At(i) = At(i - 1);
        }

        _end++;
        return ref At(index);
    }

    private void ApplyRetentionLocked(bool checkAge = true, int countSlack = 0)
    {
        int drop = _head;
        if (checkAge && _retention.MaxAge is { } maxAge)
        {
            DateTimeOffset oldest = _time.GetUtcNow() - maxAge;
            while (drop < _end && At(drop).ObservedAt < oldest)
            {
                drop++;
            }
        }

        if (_retention.MaxCount is { } maxCount && _end - drop > maxCount + (long)countSlack)
        {
            drop = (int)(_end - maxCount);
        }

        for (int i = _head; i < drop; i++)
        {
            ref Entry dropped = ref At(i);
            _arguments.Release(in dropped.Arguments);
            _arguments.Release(in dropped.RunId);
            dropped = default;
        }

        _head = drop;
        int whole = _head >> ChunkShift;
        if (whole > 0)
        {
            // Why: the emptied chunks are reused for new records, so a store at its count limit allocates no more chunks.
            _spare = _chunks[whole - 1];
            _chunks.RemoveRange(0, whole);
            _head -= whole << ChunkShift;
            _end -= whole << ChunkShift;
        }
    }

    /// <summary>
    /// One instance of each tool and model name (bounded; emptied when full). Why: names parsed from a provider's answer
    /// are new strings per call; a record holding the first instance of a name holds no young object (see
    /// <see cref="RunIdTextLocked"/>). Equal strings are interchangeable, so this changes nothing a reader can see.
    /// </summary>
    private sealed class CanonicalNames
    {
        private const int MaxNames = 1024;
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
        private string? _lastIn;
        private string? _lastOut;

        public string? Get(string? name)
        {
            if (name is null)
            {
                return null;
            }

            if (ReferenceEquals(name, _lastIn))
            {
                return _lastOut;
            }

            if (!_names.TryGetValue(name, out string? canonical))
            {
                if (_names.Count >= MaxNames)
                {
                    _names.Clear();
                }

                _names[name] = canonical = name;
            }

            (_lastIn, _lastOut) = (name, canonical);
            return canonical;
        }
    }

    /// <summary>One stored record: the event's fields, the id and the written time.</summary>
    private struct Entry
    {
        public DateTimeOffset ObservedAt;
        public DateTimeOffset WrittenAt;
        public Guid IdGuid;
        public string? IdText;
        public long Sequence;
        public AuditEventKind Kind;
        public int Iteration;
        public AuditArgumentArena.Slice RunId;
        public string? AgentName;
        public CallerIdentity? Caller;
        public string? ToolName;
        public string? Model;
        public string? Detail;
        public string? Outcome;
        public UsageDetails? Usage;
        public PlainUsage UsageCounts;
        public TimeSpan? Duration;
        public IReadOnlyDictionary<string, string> Data;
        public AuditArgumentArena.Slice Arguments;

        public readonly string Id => IdText ?? IdGuid.ToString("N");

        /// <summary>Sets every field from <paramref name="auditEvent"/> (the slot may hold an older record).</summary>
        public void Fill(AuditEvent auditEvent, Guid idGuid, string? idText, DateTimeOffset writtenAt, string? outcome)
        {
            ObservedAt = auditEvent.Timestamp;
            WrittenAt = writtenAt;
            IdGuid = idGuid;
            IdText = idText;
            Sequence = auditEvent.Sequence;
            Kind = auditEvent.Kind;
            Iteration = auditEvent.Iteration;
            RunId = default;
            AgentName = auditEvent.AgentName;
            Caller = auditEvent.Caller;
            ToolName = auditEvent.ToolName;
            Model = auditEvent.Model;
            Detail = auditEvent.Detail;
            Outcome = outcome;
            Usage = PlainUsage.TryCreate(auditEvent.Usage, out PlainUsage counts) ? null : auditEvent.Usage;
            UsageCounts = counts;
            Duration = auditEvent.Duration;
            Data = auditEvent.Data;
            Arguments = default;
        }

        /// <summary>
        /// Compares <paramref name="a"/> with a record not yet stored: by observed time, then by id (ordinal order of its
        /// text, without formatting GUID ids).
        /// </summary>
        public static int Compare(in Entry a, long ticks, Guid idGuid, string? idText)
        {
            int byTime = a.ObservedAt.UtcTicks.CompareTo(ticks);
            if (byTime != 0)
            {
                return byTime;
            }

            return a.IdText is null && idText is null ? a.IdGuid.CompareTo(idGuid) : string.CompareOrdinal(a.Id, idText ?? idGuid.ToString("N"));
        }

        public readonly bool Matches(AuditQuery query) =>
            (query.RunId is null || AuditArgumentArena.TextEquals(in RunId, query.RunId))
            && (query.CallerId is null || string.Equals(query.CallerId, Caller?.Id, StringComparison.Ordinal))
            && (query.TenantKey is null || string.Equals(query.TenantKey, Caller?.TenantKey, StringComparison.Ordinal))
            && (query.AgentName is null || string.Equals(query.AgentName, AgentName, StringComparison.Ordinal))
            && (query.ToolName is null || string.Equals(query.ToolName, ToolName, StringComparison.Ordinal))
            && (query.Kind is null || query.Kind == Kind)
            && (query.Outcome is null || string.Equals(query.Outcome, Outcome, StringComparison.OrdinalIgnoreCase))
            && (query.Since is null || ObservedAt >= query.Since)
            && (query.Until is null || ObservedAt <= query.Until);

        public readonly AuditRecord ToRecord()
        {
            var auditEvent = new AuditEvent(Kind, ObservedAt)
            {
                RunId = AuditArgumentArena.ReadText(in RunId),
                Sequence = Sequence,
                AgentName = AgentName,
                Caller = Caller,
                Iteration = Iteration,
                ToolName = ToolName,
                Arguments = AuditArgumentArena.Read(in Arguments),
                Model = Model,
                Usage = Usage ?? UsageCounts.ToUsage(),
                Duration = Duration,
                Detail = Detail,
                Data = Data,
            };
            return IdText is { } id ? new AuditRecord(id, auditEvent, WrittenAt) : new AuditRecord(IdGuid, auditEvent, WrittenAt);
        }
    }

    /// <summary>
    /// A usage of only input, output and total counts, kept as values. Why: each model-call record would otherwise keep
    /// the provider's <see cref="UsageDetails"/> object alive, one young object per record for the collector to promote.
    /// </summary>
    private readonly struct PlainUsage
    {
        private const long Absent = long.MinValue;
        private readonly long _input;
        private readonly long _output;
        private readonly long _total;
        private readonly bool _present;

        // Why: a later M.E.AI may give UsageDetails a property this check does not know; then every usage is kept whole.
        private static readonly bool s_knownShape = typeof(UsageDetails)
            .GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .All(p => p.Name is "InputTokenCount" or "OutputTokenCount" or "TotalTokenCount" or "CachedInputTokenCount" or "ReasoningTokenCount"
                or "InputAudioTokenCount" or "InputTextTokenCount" or "OutputAudioTokenCount" or "OutputTextTokenCount" or "AdditionalCounts");

        private PlainUsage(long input, long output, long total) => (_input, _output, _total, _present) = (input, output, total, true);

        /// <summary>Reads a usage with nothing but the three counts; false (keep the object) for any other usage.</summary>
        public static bool TryCreate(UsageDetails? usage, out PlainUsage counts)
        {
            counts = default;
            if (usage is null)
            {
                return true;
            }

#pragma warning disable MEAI001 // Why: the evaluation-only counts are read to know the usage has none of them, never relied on.
            if (!s_knownShape || usage.CachedInputTokenCount is not null || usage.ReasoningTokenCount is not null || usage.InputAudioTokenCount is not null
                || usage.InputTextTokenCount is not null || usage.OutputAudioTokenCount is not null || usage.OutputTextTokenCount is not null
                || usage.AdditionalCounts is { Count: > 0 } || usage.InputTokenCount == Absent || usage.OutputTokenCount == Absent
                || usage.TotalTokenCount == Absent)
#pragma warning restore MEAI001
            {
                return false;
            }

            counts = new PlainUsage(usage.InputTokenCount ?? Absent, usage.OutputTokenCount ?? Absent, usage.TotalTokenCount ?? Absent);
            return true;
        }

        public UsageDetails? ToUsage() => _present
            ? new UsageDetails
            {
                InputTokenCount = _input == Absent ? null : _input,
                OutputTokenCount = _output == Absent ? null : _output,
                TotalTokenCount = _total == Absent ? null : _total,
            }
            : null;
    }
}
