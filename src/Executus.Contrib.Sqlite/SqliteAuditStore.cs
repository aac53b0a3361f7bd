using System.Text;
using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IAuditStore"/> on SQLite: each batch is one transaction of prepared inserts; the event is a JSON payload
/// column and every query filter (run, caller, tenant, agent, tool, kind, outcome, time) has its own index. Retention is
/// applied by a sweep at append (count and age) and by the query itself (age, against the store's clock).
/// </summary>
public sealed class SqliteAuditStore : IAuditStore
{
    private readonly SqliteDatabase _database;
    private readonly AuditRetention _retention;
    private readonly TimeProvider _time;
    private long _approximateCount = -1;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="retention">How long records are kept; <see cref="InMemoryAuditStore.DefaultRetention"/> when null.</param>
    /// <param name="timeProvider">The clock retention by age is measured against; the system clock when null.</param>
    public SqliteAuditStore(SqliteDatabase database, AuditRetention? retention = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _retention = retention ?? InMemoryAuditStore.DefaultRetention;
        _retention.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        // Why: serialized before the write lock is taken, so the lock is held only for the inserts.
        var payloads = new string[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(records[i]);
            payloads[i] = JsonSerializer.Serialize(records[i].Event, SqliteJson.Options);
        }

        _database.Write((connection, _) =>
        {
            using SqliteCommand insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT OR REPLACE INTO audit_events (id, observed_at, written_at, kind, run_id, caller_id, tenant_key, agent_name, tool_name, outcome, payload)
                VALUES ($id, $observed, $written, $kind, $run, $caller, $tenant, $agent, $tool, $outcome, $payload);
                """;
            SqliteParameter id = insert.Parameters.Add("$id", SqliteType.Text);
            SqliteParameter observed = insert.Parameters.Add("$observed", SqliteType.Integer);
            SqliteParameter written = insert.Parameters.Add("$written", SqliteType.Integer);
            SqliteParameter kind = insert.Parameters.Add("$kind", SqliteType.Integer);
            SqliteParameter run = insert.Parameters.Add("$run", SqliteType.Text);
            SqliteParameter caller = insert.Parameters.Add("$caller", SqliteType.Text);
            SqliteParameter tenant = insert.Parameters.Add("$tenant", SqliteType.Text);
            SqliteParameter agent = insert.Parameters.Add("$agent", SqliteType.Text);
            SqliteParameter tool = insert.Parameters.Add("$tool", SqliteType.Text);
            SqliteParameter outcome = insert.Parameters.Add("$outcome", SqliteType.Text);
            SqliteParameter payload = insert.Parameters.Add("$payload", SqliteType.Text);
            insert.Prepare();
            for (int i = 0; i < records.Count; i++)
            {
                AuditRecord record = records[i];
                id.Value = record.Id;
                observed.Value = record.ObservedAt.UtcTicks;
                written.Value = record.WrittenAt.UtcTicks;
                kind.Value = (int)record.Kind;
                run.Value = (object?)record.RunId ?? DBNull.Value;
                caller.Value = (object?)record.CallerId ?? DBNull.Value;
                tenant.Value = (object?)record.TenantKey ?? DBNull.Value;
                agent.Value = (object?)record.AgentName ?? DBNull.Value;
                tool.Value = (object?)record.ToolName ?? DBNull.Value;
                outcome.Value = (object?)record.Outcome ?? DBNull.Value;
                payload.Value = payloads[i];
                insert.ExecuteNonQuery();
            }

            SweepLocked(connection, records.Count);
            return 0;
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Deletes the records retention no longer keeps (older than the maximum age against the store's clock, beyond
    /// the maximum count oldest first). Appends sweep on their own; a host may also call this on a timer.
    /// </summary>
    /// <param name="cancellationToken">Cancels before the sweep.</param>
    /// <returns>How many records were deleted.</returns>
    public ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Exchange(ref _approximateCount, -1);
        return ValueTask.FromResult(_database.Write((connection, _) => SweepLocked(connection, 0)));
    }

    /// <inheritdoc />
    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        AuditCursor? cursor = query.Cursor is null ? null : AuditCursor.Parse(query.Cursor);
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            var sql = new StringBuilder("SELECT id, written_at, payload FROM audit_events WHERE 1 = 1");
            AddFilter(command, sql, "run_id", "$run", query.RunId);
            AddFilter(command, sql, "caller_id", "$caller", query.CallerId);
            AddFilter(command, sql, "tenant_key", "$tenant", query.TenantKey);
            AddFilter(command, sql, "agent_name", "$agent", query.AgentName);
            AddFilter(command, sql, "tool_name", "$tool", query.ToolName);
            AddFilter(command, sql, "outcome", "$outcome", query.Outcome);
            if (query.Kind is { } kind)
            {
                sql.Append(" AND kind = $kind");
                command.Parameters.AddWithValue("$kind", (int)kind);
            }

            long? since = Max(query.Since?.UtcTicks, OldestKeptTicks());
            if (since is { } s)
            {
                sql.Append(" AND observed_at >= $since");
                command.Parameters.AddWithValue("$since", s);
            }

            if (query.Until is { } until)
            {
                sql.Append(" AND observed_at <= $until");
                command.Parameters.AddWithValue("$until", until.UtcTicks);
            }

            if (cursor is { } c)
            {
                sql.Append(" AND (observed_at < $cursorTime OR (observed_at = $cursorTime AND id < $cursorId))");
                command.Parameters.AddWithValue("$cursorTime", c.ObservedAt.UtcTicks);
                command.Parameters.AddWithValue("$cursorId", c.Id);
            }

            sql.Append(" ORDER BY observed_at DESC, id DESC LIMIT $limit;");
            command.Parameters.AddWithValue("$limit", query.Limit + 1);
            command.CommandText = sql.ToString();
            var page = new List<AuditRecord>(Math.Min(query.Limit, 64));
            bool more = false;
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                AuditEvent auditEvent = JsonSerializer.Deserialize<AuditEvent>(reader.GetString(2), SqliteJson.Options)
                    ?? throw new SqliteStoreException($"Audit record '{reader.GetString(0)}' has an empty payload.") { DataSource = _database.DataSource };
                page.Add(new AuditRecord(reader.GetString(0), auditEvent, new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero)));
            }

            return new AuditPage(page, more ? AuditCursor.After(page[^1]).ToString() : null);
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read<IReadOnlyList<ToolCallCounts>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                SELECT tool_name,
                       SUM(CASE WHEN kind = $call THEN 1 ELSE 0 END),
                       SUM(CASE WHEN kind = $call AND outcome = $error THEN 1 ELSE 0 END),
                       SUM(CASE WHEN kind = $denied THEN 1 ELSE 0 END)
                FROM audit_events
                WHERE tool_name IS NOT NULL AND kind IN ($call, $denied) AND observed_at >= $since AND observed_at <= $until
                GROUP BY tool_name ORDER BY tool_name;
                """;
            command.Parameters.AddWithValue("$call", (int)AuditEventKind.ToolCall);
            command.Parameters.AddWithValue("$denied", (int)AuditEventKind.ToolDenied);
            command.Parameters.AddWithValue("$error", AuditOutcomes.Error);
            command.Parameters.AddWithValue("$since", Max(since.UtcTicks, OldestKeptTicks())!.Value);
            command.Parameters.AddWithValue("$until", until.UtcTicks);
            var rows = new List<ToolCallCounts>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new ToolCallCounts(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }

            rows.Sort((a, b) => string.CompareOrdinal(a.ToolName, b.ToolName));
            return rows;
        }));
    }

    private static void AddFilter(SqliteCommand command, StringBuilder sql, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(parameter);
            command.Parameters.AddWithValue(parameter, value);
        }
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private long? OldestKeptTicks() => _retention.MaxAge is { } age ? (_time.GetUtcNow() - age).UtcTicks : null;

    private int SweepLocked(SqliteConnection connection, int appended)
    {
        int deleted = 0;
        if (OldestKeptTicks() is { } oldest)
        {
            using SqliteCommand byAge = connection.CreateCommand();
            byAge.CommandText = "DELETE FROM audit_events WHERE observed_at < $oldest;";
            byAge.Parameters.AddWithValue("$oldest", oldest);
            deleted += byAge.ExecuteNonQuery();
        }

        if (_retention.MaxCount is { } maxCount)
        {
            // Why: counting the table at every append would cost O(n); the estimate (exact after each count) only
            // triggers the counted delete once it may be over the bound. Another process's appends are caught at the next one.
            long estimate = Interlocked.Read(ref _approximateCount);
            estimate = estimate < 0 ? long.MaxValue : estimate + appended - deleted;
            if (estimate > maxCount)
            {
                using SqliteCommand count = connection.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM audit_events;";
                long total = (long)count.ExecuteScalar()!;
                if (total > maxCount)
                {
                    using SqliteCommand byCount = connection.CreateCommand();
                    byCount.CommandText = "DELETE FROM audit_events WHERE rowid IN (SELECT rowid FROM audit_events ORDER BY observed_at, id LIMIT $excess);";
                    byCount.Parameters.AddWithValue("$excess", total - maxCount);
                    int removed = byCount.ExecuteNonQuery();
                    deleted += removed;
                    total -= removed;
                }

                estimate = total;
            }

            Interlocked.Exchange(ref _approximateCount, estimate);
        }

        return deleted;
    }
}
