using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>
/// The default <see cref="IAuditStore"/>: records in memory, ordered by observed time then id, with retention by age
/// (against the store's <see cref="TimeProvider"/>) and/or count applied at every append and query.
/// </summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    /// <summary>The retention used when none is given: 100,000 records and 30 days.</summary>
    public static readonly AuditRetention DefaultRetention = new(TimeSpan.FromDays(30), 100_000);

    private readonly Lock _gate = new();
    private readonly List<AuditRecord?> _records = [];

    // Why: retention drops from the front; moving a head index (and compacting now and then) keeps an append at the
    // count limit O(1) instead of shifting the whole list on every batch.
    private int _head;
    private readonly AuditRetention _retention;
    private readonly TimeProvider _time;

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
                return _records.Count - _head;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (AuditRecord record in records)
            {
                ArgumentNullException.ThrowIfNull(record);
                int index = _records.Count;
                while (index > _head && Compare(_records[index - 1]!, record) > 0)
                {
                    index--;
                }

                _records.Insert(index, record);
            }

            ApplyRetentionLocked();
        }

        return ValueTask.CompletedTask;
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
            for (int i = _records.Count - 1; i >= _head; i--)
            {
                AuditRecord record = _records[i]!;
                if (cursor is { } c && !c.Precedes(record.ObservedAt, record.Id))
                {
                    continue;
                }

                if (query.Since is { } since && record.ObservedAt < since)
                {
                    break;
                }

                if (!query.Matches(record))
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                page.Add(record);
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
            for (int i = _head; i < _records.Count; i++)
            {
                AuditRecord record = _records[i]!;
                if (record.ToolName is not { } tool || record.ObservedAt < since || record.ObservedAt > until)
                {
                    continue;
                }

                counts.TryGetValue(tool, out (long Calls, long Errors, long Denials) row);
                if (record.Kind == AuditEventKind.ToolCall)
                {
                    row.Calls++;
                    if (string.Equals(record.Outcome, AuditOutcomes.Error, StringComparison.OrdinalIgnoreCase))
                    {
                        row.Errors++;
                    }
                }
                else if (record.Kind == AuditEventKind.ToolDenied)
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

    private static int Compare(AuditRecord a, AuditRecord b)
    {
        int byTime = a.ObservedAt.UtcTicks.CompareTo(b.ObservedAt.UtcTicks);
        return byTime != 0 ? byTime : AuditRecord.CompareIds(a, b);
    }

    private void ApplyRetentionLocked()
    {
        int drop = _head;
        if (_retention.MaxAge is { } maxAge)
        {
            DateTimeOffset oldest = _time.GetUtcNow() - maxAge;
            while (drop < _records.Count && _records[drop]!.ObservedAt < oldest)
            {
                drop++;
            }
        }

        if (_retention.MaxCount is { } maxCount && _records.Count - drop > maxCount)
        {
            drop = (int)(_records.Count - maxCount);
        }

        for (int i = _head; i < drop; i++)
        {
            _records[i] = null;
        }

        _head = drop;
        if (_head > 1024 && _head > _records.Count / 2)
        {
            _records.RemoveRange(0, _head);
            _head = 0;
        }
    }
}
