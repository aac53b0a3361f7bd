using System.Text;
using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IAuditStore"/> on PostgreSQL: each batch is one multi-row insert (arrays unnested server-side) in one
/// transaction; the event is a JSON payload column and every query filter (run, caller, tenant, agent, tool, kind,
/// outcome, time) has its own index. Retention is applied by a sweep at append (count and age) and by the query itself
/// (age, against the store's clock). Several hosts may append to one table.
/// </summary>
public sealed class PostgreSqlAuditStore : IAuditStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly AuditRetention _retention;
    private readonly TimeProvider _time;
    private long _approximateCount = -1;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="retention">How long records are kept; <see cref="InMemoryAuditStore.DefaultRetention"/> when null.</param>
    /// <param name="timeProvider">The clock retention by age is measured against; the system clock when null.</param>
    public PostgreSqlAuditStore(PostgreSqlDatabase database, AuditRetention? retention = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _retention = retention ?? InMemoryAuditStore.DefaultRetention;
        _retention.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0)
        {
            return;
        }

        int n = records.Count;
        var ids = new string[n];
        var observed = new long[n];
        var written = new long[n];
        var kinds = new int[n];
        var runs = new string?[n];
        var callers = new string?[n];
        var tenants = new string?[n];
        var agents = new string?[n];
        var tools = new string?[n];
        var outcomes = new string?[n];
        var payloads = new string[n];
        for (int i = 0; i < n; i++)
        {
            AuditRecord record = records[i];
            ArgumentNullException.ThrowIfNull(record);
            ids[i] = record.Id;
            observed[i] = record.ObservedAt.UtcTicks;
            written[i] = record.WrittenAt.UtcTicks;
            kinds[i] = (int)record.Kind;
            runs[i] = record.RunId;
            callers[i] = record.CallerId;
            tenants[i] = record.TenantKey;
            agents[i] = record.AgentName;
            tools[i] = record.ToolName;
            outcomes[i] = record.Outcome;
            payloads[i] = JsonSerializer.Serialize(record.Event, PostgreSqlJson.Options);
        }

        await _database.WriteAsync(async (connection, transaction) =>
        {
            // Why: a record appended twice (a retried batch) replaces itself, as INSERT OR REPLACE does in SQLite.
            using (NpgsqlCommand insert = connection.Command(
                """
                INSERT INTO audit_events (id, observed_at, written_at, kind, run_id, caller_id, tenant_key, agent_name, tool_name, outcome, payload)
                SELECT * FROM unnest(@ids, @observed, @written, @kinds, @runs, @callers, @tenants, @agents, @tools, @outcomes, @payloads)
                ON CONFLICT (id) DO UPDATE SET observed_at = excluded.observed_at, written_at = excluded.written_at, kind = excluded.kind,
                    run_id = excluded.run_id, caller_id = excluded.caller_id, tenant_key = excluded.tenant_key, agent_name = excluded.agent_name,
                    tool_name = excluded.tool_name, outcome = excluded.outcome, payload = excluded.payload;
                """,
                transaction)
                .Texts("ids", ids).Longs("observed", observed).Longs("written", written).Ints("kinds", kinds)
                .Texts("runs", runs!).Texts("callers", callers!).Texts("tenants", tenants!).Texts("agents", agents!)
                .Texts("tools", tools!).Texts("outcomes", outcomes!).Texts("payloads", payloads))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await SweepAsync(connection, transaction, n, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the records retention no longer keeps (older than the maximum age against the store's clock, beyond
    /// the maximum count oldest first). Appends sweep on their own; a host may also call this on a timer.
    /// </summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>How many records were deleted.</returns>
    public async ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Exchange(ref _approximateCount, -1);
        return await _database.WriteAsync((connection, transaction) => SweepAsync(connection, transaction, 0, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        AuditCursor? cursor = query.Cursor is null ? null : AuditCursor.Parse(query.Cursor);
        return await _database.ReadAsync(async connection =>
        {
            using var command = new NpgsqlCommand { Connection = connection };
            var sql = new StringBuilder("SELECT id, written_at, payload FROM audit_events WHERE true");
            AddFilter(command, sql, "run_id", "run", query.RunId);
            AddFilter(command, sql, "caller_id", "caller", query.CallerId);
            AddFilter(command, sql, "tenant_key", "tenant", query.TenantKey);
            AddFilter(command, sql, "agent_name", "agent", query.AgentName);
            AddFilter(command, sql, "tool_name", "tool", query.ToolName);
            if (query.Outcome is not null)
            {
                sql.Append(" AND lower(outcome) = lower(@outcome)");
                command.Text("outcome", query.Outcome);
            }

            if (query.Kind is { } kind)
            {
                sql.Append(" AND kind = @kind");
                command.Int("kind", (int)kind);
            }

            if (Max(query.Since?.UtcTicks, OldestKeptTicks()) is { } since)
            {
                sql.Append(" AND observed_at >= @since");
                command.Long("since", since);
            }

            if (query.Until is { } until)
            {
                sql.Append(" AND observed_at <= @until");
                command.Long("until", until.UtcTicks);
            }

            if (cursor is { } c)
            {
                sql.Append(" AND (observed_at, id) < (@cursorTime, @cursorId)");
                command.Long("cursorTime", c.ObservedAt.UtcTicks).Text("cursorId", c.Id);
            }

            sql.Append(" ORDER BY observed_at DESC, id DESC LIMIT @limit;");
            command.Int("limit", query.Limit + 1);
            command.CommandText = sql.ToString();
            var page = new List<AuditRecord>(Math.Min(query.Limit, 64));
            bool more = false;
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (page.Count == query.Limit)
                {
                    more = true;
                    break;
                }

                AuditEvent auditEvent = JsonSerializer.Deserialize<AuditEvent>(reader.GetString(2), PostgreSqlJson.Options)
                    ?? throw new PostgreSqlStoreException($"Audit record '{reader.GetString(0)}' has an empty payload.") { Target = _database.Target };
                page.Add(new AuditRecord(reader.GetString(0), auditEvent, new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero)));
            }

            return new AuditPage(page, more ? AuditCursor.After(page[^1]).ToString() : null);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync<IReadOnlyList<ToolCallCounts>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                SELECT tool_name,
                       COUNT(*) FILTER (WHERE kind = @call),
                       COUNT(*) FILTER (WHERE kind = @call AND lower(outcome) = lower(@error)),
                       COUNT(*) FILTER (WHERE kind = @denied)
                FROM audit_events
                WHERE tool_name IS NOT NULL AND kind IN (@call, @denied) AND observed_at >= @since AND observed_at <= @until
                GROUP BY tool_name ORDER BY tool_name;
                """)
                .Int("call", (int)AuditEventKind.ToolCall).Int("denied", (int)AuditEventKind.ToolDenied).Text("error", AuditOutcomes.Error)
                .Long("since", Max(since.UtcTicks, OldestKeptTicks())!.Value).Long("until", until.UtcTicks);
            var rows = new List<ToolCallCounts>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new ToolCallCounts(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }

            rows.Sort((a, b) => string.CompareOrdinal(a.ToolName, b.ToolName));
            return rows;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void AddFilter(NpgsqlCommand command, StringBuilder sql, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = @").Append(parameter);
            command.Text(parameter, value);
        }
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private long? OldestKeptTicks() => _retention.MaxAge is { } age ? (_time.GetUtcNow() - age).UtcTicks : null;

    private async Task<int> SweepAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int appended, CancellationToken cancellationToken)
    {
        int deleted = 0;
        if (OldestKeptTicks() is { } oldest)
        {
            using NpgsqlCommand byAge = connection.Command("DELETE FROM audit_events WHERE observed_at < @oldest;", transaction).Long("oldest", oldest);
            deleted += await byAge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_retention.MaxCount is { } maxCount)
        {
            // Why: counting the table at every append would cost O(n); the estimate (exact after each count) only
            // triggers the counted delete once it may be over the bound. Other hosts' appends are caught at the next count.
            long estimate = Interlocked.Read(ref _approximateCount);
            estimate = estimate < 0 ? long.MaxValue : estimate + appended - deleted;
            if (estimate > maxCount)
            {
                using NpgsqlCommand count = connection.Command("SELECT COUNT(*) FROM audit_events;", transaction);
                long total = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (total > maxCount)
                {
                    using NpgsqlCommand byCount = connection.Command(
                        "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events ORDER BY observed_at, id LIMIT @excess);",
                        transaction).Long("excess", total - maxCount);
                    int removed = await byCount.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
