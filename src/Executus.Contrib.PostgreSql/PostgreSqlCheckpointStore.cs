using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Executus.Checkpoints;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="ICheckpointStore"/> on PostgreSQL: each message is one append-only JSON row (run, sequence), and a head
/// row per run (JSON of the checkpoint without its messages, plus the listing columns) is rewritten per save. A save is
/// one transaction that locks the run's head row, so a host killed mid-save leaves the previous checkpoint whole and two
/// hosts saving one run never interleave. It is also the <see cref="IRunLeaseStore"/> of the hosts sharing the
/// database: a claim locks the lease row; <see cref="ClaimInterruptedAsync"/> picks runs with
/// <c>FOR UPDATE SKIP LOCKED</c> and takes each lease with a guarded upsert, so concurrent claimers never get the same run.
/// </summary>
public sealed class PostgreSqlCheckpointStore : ICheckpointStore, IRunLeaseStore
{
    private static readonly JsonTypeInfo<ChatMessage> s_messageInfo = (JsonTypeInfo<ChatMessage>)PostgreSqlJson.Options.GetTypeInfo(typeof(ChatMessage));
    private static readonly JsonTypeInfo<RunCheckpoint> s_headInfo = (JsonTypeInfo<RunCheckpoint>)PostgreSqlJson.Options.GetTypeInfo(typeof(RunCheckpoint));
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public PostgreSqlCheckpointStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(unchangedMessageCount);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ChatMessage> messages = checkpoint.Messages;
        string head = JsonSerializer.Serialize(checkpoint with { Messages = [] }, s_headInfo);
        // Why: only the messages past the claimed unchanged prefix can be written; serialized before the transaction.
        int firstNew = Math.Min(unchangedMessageCount, messages.Count);
        var serialized = new string[messages.Count - firstNew];
        for (int i = firstNew; i < messages.Count; i++)
        {
            serialized[i - firstNew] = JsonSerializer.Serialize(messages[i], s_messageInfo);
        }

        await _database.WriteAsync(async (connection, transaction) =>
        {
            int stored = 0;
            using (NpgsqlCommand count = connection.Command("SELECT message_count FROM checkpoint_runs WHERE run_id = @run FOR UPDATE;", transaction).Text("run", checkpoint.RunId))
            {
                if (await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int existing)
                {
                    stored = existing;
                }
            }

            int keep = Math.Min(unchangedMessageCount, Math.Min(stored, messages.Count));
            using (var batch = new NpgsqlBatch(connection, transaction))
            {
                // Why: rows 0..stored-1 are exactly what is stored (message_count is written with them in this
                // transaction), so an append past the stored prefix, the common save, has nothing to trim.
                if (keep < stored)
                {
                    var trim = new NpgsqlBatchCommand("DELETE FROM checkpoint_messages WHERE run_id = $1 AND seq >= $2;");
                    trim.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RunId });
                    trim.Parameters.Add(new NpgsqlParameter { Value = keep });
                    batch.BatchCommands.Add(trim);
                }

                if (keep < messages.Count)
                {
                    int[] seqs = new int[messages.Count - keep];
                    string[] bodies = new string[seqs.Length];
                    for (int i = keep; i < messages.Count; i++)
                    {
                        seqs[i - keep] = i;
                        bodies[i - keep] = i >= firstNew ? serialized[i - firstNew] : JsonSerializer.Serialize(messages[i], s_messageInfo);
                    }

                    var insert = new NpgsqlBatchCommand("INSERT INTO checkpoint_messages (run_id, seq, message) SELECT $1, s, m FROM unnest($2::integer[], $3::text[]) AS a(s, m);");
                    insert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RunId });
                    insert.Parameters.Add(new NpgsqlParameter { Value = seqs });
                    insert.Parameters.Add(new NpgsqlParameter { Value = bodies });
                    batch.BatchCommands.Add(insert);
                }

                var upsert = new NpgsqlBatchCommand(
                    """
                    INSERT INTO checkpoint_runs (run_id, agent_name, agent_version, caller_id, fairness_key, iteration, message_count, saved_at, resume_attempts, paused_reason, head)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10)
                    ON CONFLICT (run_id) DO UPDATE SET agent_name = excluded.agent_name, agent_version = excluded.agent_version,
                        caller_id = excluded.caller_id, fairness_key = excluded.fairness_key, iteration = excluded.iteration,
                        message_count = excluded.message_count, saved_at = excluded.saved_at, paused_reason = excluded.paused_reason, head = excluded.head;
                    """);
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RunId });
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Agent.Name });
                upsert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = checkpoint.Agent.Version, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Caller.Id });
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Caller.FairnessKey });
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Iteration });
                upsert.Parameters.Add(new NpgsqlParameter { Value = messages.Count });
                upsert.Parameters.Add(new NpgsqlParameter { Value = checkpoint.SavedAt.UtcTicks });
                upsert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = checkpoint.PausedReason, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                upsert.Parameters.Add(new NpgsqlParameter { Value = head });
                batch.BatchCommands.Add(upsert);
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            // Why: one statement, so the head and the messages come from one snapshot even while a save commits.
            using NpgsqlCommand read = connection.Command(
                """
                SELECT r.head, m.message FROM checkpoint_runs r
                LEFT JOIN checkpoint_messages m ON m.run_id = r.run_id AND m.seq < r.message_count
                WHERE r.run_id = @run ORDER BY m.seq;
                """).Text("run", runId);
            using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            string? head = null;
            var messages = new List<ChatMessage>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                head ??= reader.GetString(0);
                if (!reader.IsDBNull(1))
                {
                    messages.Add(JsonSerializer.Deserialize(reader.GetString(1), s_messageInfo)!);
                }
            }

            if (head is null)
            {
                return null;
            }

            RunCheckpoint checkpoint = JsonSerializer.Deserialize(head, s_headInfo)
                ?? throw new PostgreSqlStoreException($"Checkpoint '{runId}' has an empty head record.") { Target = _database.Target };
            return (RunCheckpoint?)(checkpoint with { Messages = messages });
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                SELECT run_id, agent_name, agent_version, caller_id, fairness_key, iteration, message_count, saved_at, resume_attempts, paused_reason
                FROM checkpoint_runs WHERE @cursor::text IS NULL OR run_id > @cursor ORDER BY run_id LIMIT @limit;
                """).Text("cursor", cursor).Int("limit", limit + 1);
            var items = new List<CheckpointSummary>(Math.Min(limit, 64));
            bool more = false;
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (items.Count == limit)
                {
                    more = true;
                    break;
                }

                items.Add(new CheckpointSummary
                {
                    RunId = reader.GetString(0),
                    AgentName = reader.GetString(1),
                    AgentVersion = reader.GetStringOrNull(2),
                    CallerId = reader.GetString(3),
                    FairnessKey = reader.GetString(4),
                    Iteration = reader.GetInt32(5),
                    MessageCount = reader.GetInt32(6),
                    SavedAt = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
                    ResumeAttempts = reader.GetInt32(8),
                    PausedReason = reader.GetStringOrNull(9),
                });
            }

            return new CheckpointPage(items, more ? items[^1].RunId : null);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE checkpoint_runs SET resume_attempts = resume_attempts + 1 WHERE run_id = @run RETURNING resume_attempts;", transaction).Text("run", runId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int attempts ? attempts : 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE checkpoint_runs SET resume_attempts = 0 WHERE run_id = @run;", transaction).Text("run", runId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                WITH messages AS (DELETE FROM checkpoint_messages WHERE run_id = @run),
                     leases AS (DELETE FROM run_leases WHERE run_id = @run),
                     gone AS (DELETE FROM checkpoint_runs WHERE run_id = @run RETURNING run_id)
                SELECT count(*) FROM gone;
                """,
                transaction).Text("run", runId);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                WITH gone AS (DELETE FROM checkpoint_runs WHERE saved_at < @before RETURNING run_id),
                     messages AS (DELETE FROM checkpoint_messages WHERE run_id IN (SELECT run_id FROM gone)),
                     leases AS (DELETE FROM run_leases WHERE run_id IN (SELECT run_id FROM gone))
                SELECT count(*) FROM gone;
                """,
                transaction).Long("before", savedBefore.UtcTicks);
            return (int)(long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RunLease?> TryClaimAsync(string runId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return await _database.WriteAsync(async (connection, transaction) =>
            await PostgreSqlLeaseRows.TryTakeAsync(connection, transaction, "run_leases", "run_id", runId, owner, now, expires, cancellationToken).ConfigureAwait(false) is { } token
                ? new RunLease(runId, owner, expires, token)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RunLease>> RenewAsync(string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return await _database.WriteAsync<IReadOnlyList<RunLease>>(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE run_leases SET expires_at = @expires WHERE owner = @owner RETURNING run_id, token;", transaction)
                .Text("owner", owner).Long("expires", expires.UtcTicks);
            return await ReadLeasesAsync(command, owner, expires, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RunLease>> ClaimInterruptedAsync(string owner, DateTimeOffset now, TimeSpan duration, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return await _database.WriteAsync<IReadOnlyList<RunLease>>(async (connection, transaction) =>
        {
            // Why: SKIP LOCKED lets concurrent claimers pick disjoint runs without waiting on each other; the upsert's
            // WHERE re-checks the lease row as committed, so a run another host claimed after this statement's snapshot
            // was taken is not taken twice (it simply is not returned).
            using NpgsqlCommand command = connection.Command(
                """
                WITH picked AS (
                    SELECT c.run_id FROM checkpoint_runs c LEFT JOIN run_leases l ON l.run_id = c.run_id
                    WHERE (l.run_id IS NULL OR l.owner IS NULL OR l.expires_at <= @now) AND c.paused_reason IS NULL
                    ORDER BY c.run_id LIMIT @limit
                    FOR UPDATE OF c SKIP LOCKED)
                INSERT INTO run_leases (run_id, owner, expires_at, token) SELECT run_id, @owner, @expires, 1 FROM picked
                ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, token = run_leases.token + 1
                    WHERE run_leases.owner IS NULL OR run_leases.expires_at <= @now
                RETURNING run_id, token;
                """,
                transaction).Long("now", now.UtcTicks).Int("limit", limit).Text("owner", owner).Long("expires", expires.UtcTicks);
            return await ReadLeasesAsync(command, owner, expires, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE run_leases SET owner = NULL, expires_at = 0 WHERE run_id = @run AND owner = @owner AND token = @token;", transaction)
                .Text("run", lease.RunId).Text("owner", lease.Owner).Long("token", lease.Token);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReleaseAllAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE run_leases SET owner = NULL, expires_at = 0 WHERE owner = @owner;", transaction).Text("owner", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RunLease?> GetLeaseAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT owner, expires_at, token FROM run_leases WHERE run_id = @run AND owner IS NOT NULL;").Text("run", runId);
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new RunLease(runId, reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero), reader.GetInt64(2))
                : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<RunLease>> ReadLeasesAsync(NpgsqlCommand command, string owner, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var leases = new List<RunLease>();
        using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            leases.Add(new RunLease(reader.GetString(0), owner, expires, reader.GetInt64(1)));
        }

        leases.Sort(static (a, b) => string.CompareOrdinal(a.RunId, b.RunId));
        return leases;
    }
}
