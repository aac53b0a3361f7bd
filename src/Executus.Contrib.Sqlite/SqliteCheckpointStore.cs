using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Executus.Checkpoints;
using Executus.Runs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="ICheckpointStore"/> on SQLite that survives a crash: each message is one append-only JSON row
/// (run, sequence), and a head row per run (JSON of the checkpoint without its messages, plus the listing columns) is
/// rewritten per save. A save is one <c>BEGIN IMMEDIATE</c> transaction, so a process killed mid-save leaves the
/// previous checkpoint whole. It is also the <see cref="IRunLeaseStore"/> of processes sharing the file: each lease
/// operation is one <c>BEGIN IMMEDIATE</c> compare-and-set, so concurrent claimers never get the same run.
/// </summary>
public sealed class SqliteCheckpointStore : ICheckpointStore, IRunLeaseStore
{
    private static readonly JsonTypeInfo<ChatMessage> s_messageInfo = (JsonTypeInfo<ChatMessage>)SqliteJson.Options.GetTypeInfo(typeof(ChatMessage));
    private static readonly JsonTypeInfo<RunCheckpoint> s_headInfo = (JsonTypeInfo<RunCheckpoint>)SqliteJson.Options.GetTypeInfo(typeof(RunCheckpoint));
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public SqliteCheckpointStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(unchangedMessageCount);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ChatMessage> messages = checkpoint.Messages;
        string head = JsonSerializer.Serialize(checkpoint with { Messages = [] }, s_headInfo);
        // Why: only the messages past the claimed unchanged prefix can be written; serialized before the lock is taken.
        int firstNew = Math.Min(unchangedMessageCount, messages.Count);
        var serialized = new string[messages.Count - firstNew];
        for (int i = firstNew; i < messages.Count; i++)
        {
            serialized[i - firstNew] = JsonSerializer.Serialize(messages[i], s_messageInfo);
        }

        _database.Write((connection, _) =>
        {
            int stored = 0;
            using (SqliteCommand count = connection.CreateCommand())
            {
                count.CommandText = "SELECT message_count FROM checkpoint_runs WHERE run_id = $run;";
                count.Parameters.AddWithValue("$run", checkpoint.RunId);
                if (count.ExecuteScalar() is long existing)
                {
                    stored = (int)existing;
                }
            }

            int keep = Math.Min(unchangedMessageCount, Math.Min(stored, messages.Count));
            // Why: rows 0..stored-1 are exactly what is stored (message_count is written with them in this transaction),
            // so an append past the stored prefix, the common save, has nothing to trim and skips the statement.
            if (keep < stored)
            {
                using SqliteCommand trim = connection.CreateCommand();
                trim.CommandText = "DELETE FROM checkpoint_messages WHERE run_id = $run AND seq >= $keep;";
                trim.Parameters.AddWithValue("$run", checkpoint.RunId);
                trim.Parameters.AddWithValue("$keep", keep);
                trim.ExecuteNonQuery();
            }

            if (keep < messages.Count)
            {
                using SqliteCommand insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO checkpoint_messages (run_id, seq, message) VALUES ($run, $seq, $message);";
                insert.Parameters.AddWithValue("$run", checkpoint.RunId);
                SqliteParameter seq = insert.Parameters.Add("$seq", SqliteType.Integer);
                SqliteParameter message = insert.Parameters.Add("$message", SqliteType.Text);
                for (int i = keep; i < messages.Count; i++)
                {
                    seq.Value = i;
                    message.Value = i >= firstNew ? serialized[i - firstNew] : JsonSerializer.Serialize(messages[i], s_messageInfo);
                    insert.ExecuteNonQuery();
                }
            }

            using SqliteCommand upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO checkpoint_runs (run_id, agent_name, agent_version, caller_id, fairness_key, iteration, message_count, saved_at, resume_attempts, head)
                VALUES ($run, $agent, $version, $caller, $fairness, $iteration, $count, $saved, 0, $head)
                ON CONFLICT (run_id) DO UPDATE SET agent_name = excluded.agent_name, agent_version = excluded.agent_version,
                    caller_id = excluded.caller_id, fairness_key = excluded.fairness_key, iteration = excluded.iteration,
                    message_count = excluded.message_count, saved_at = excluded.saved_at, head = excluded.head;
                """;
            upsert.Parameters.AddWithValue("$run", checkpoint.RunId);
            upsert.Parameters.AddWithValue("$agent", checkpoint.Agent.Name);
            upsert.Parameters.AddWithValue("$version", (object?)checkpoint.Agent.Version ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$caller", checkpoint.Caller.Id);
            upsert.Parameters.AddWithValue("$fairness", checkpoint.Caller.FairnessKey);
            upsert.Parameters.AddWithValue("$iteration", checkpoint.Iteration);
            upsert.Parameters.AddWithValue("$count", messages.Count);
            upsert.Parameters.AddWithValue("$saved", checkpoint.SavedAt.UtcTicks);
            upsert.Parameters.AddWithValue("$head", head);
            upsert.ExecuteNonQuery();
            return 0;
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        // Why: a deferred read transaction, so the head and the messages come from one snapshot even while a save commits.
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteTransaction snapshot = connection.BeginTransaction(deferred: true);
            string head;
            int count;
            using (SqliteCommand read = connection.CreateCommand())
            {
                read.CommandText = "SELECT head, message_count FROM checkpoint_runs WHERE run_id = $run;";
                read.Parameters.AddWithValue("$run", runId);
                using SqliteDataReader reader = read.ExecuteReader();
                if (!reader.Read())
                {
                    return null;
                }

                head = reader.GetString(0);
                count = reader.GetInt32(1);
            }

            var messages = new List<ChatMessage>(count);
            using (SqliteCommand read = connection.CreateCommand())
            {
                read.CommandText = "SELECT message FROM checkpoint_messages WHERE run_id = $run AND seq < $count ORDER BY seq;";
                read.Parameters.AddWithValue("$run", runId);
                read.Parameters.AddWithValue("$count", count);
                using SqliteDataReader reader = read.ExecuteReader();
                while (reader.Read())
                {
                    messages.Add(JsonSerializer.Deserialize(reader.GetString(0), s_messageInfo)!);
                }
            }

            snapshot.Commit();
            RunCheckpoint checkpoint = JsonSerializer.Deserialize(head, s_headInfo)
                ?? throw new SqliteStoreException($"Checkpoint '{runId}' has an empty head record.") { DataSource = _database.DataSource };
            return (RunCheckpoint?)(checkpoint with { Messages = messages });
        }));
    }

    /// <inheritdoc />
    public ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                SELECT run_id, agent_name, agent_version, caller_id, fairness_key, iteration, message_count, saved_at, resume_attempts,
                    json_extract(head, '$.pausedReason')
                FROM checkpoint_runs WHERE $cursor IS NULL OR run_id > $cursor ORDER BY run_id LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$cursor", (object?)cursor ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit + 1);
            var items = new List<CheckpointSummary>(Math.Min(limit, 64));
            bool more = false;
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
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
                    AgentVersion = reader.IsDBNull(2) ? null : reader.GetString(2),
                    CallerId = reader.GetString(3),
                    FairnessKey = reader.GetString(4),
                    Iteration = reader.GetInt32(5),
                    MessageCount = reader.GetInt32(6),
                    SavedAt = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
                    ResumeAttempts = reader.GetInt32(8),
                    PausedReason = reader.IsDBNull(9) ? null : reader.GetString(9),
                });
            }

            return new CheckpointPage(items, more ? items[^1].RunId : null);
        }));
    }

    /// <inheritdoc />
    public ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE checkpoint_runs SET resume_attempts = resume_attempts + 1 WHERE run_id = $run RETURNING resume_attempts;";
            command.Parameters.AddWithValue("$run", runId);
            return command.ExecuteScalar() is long attempts ? (int)attempts : 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE checkpoint_runs SET resume_attempts = 0 WHERE run_id = $run;";
            command.Parameters.AddWithValue("$run", runId);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM checkpoint_messages WHERE run_id = $run;
                DELETE FROM run_leases WHERE run_id = $run;
                DELETE FROM checkpoint_runs WHERE run_id = $run;
                SELECT changes();
                """;
            command.Parameters.AddWithValue("$run", runId);
            return (long)command.ExecuteScalar()! > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM checkpoint_messages WHERE run_id IN (SELECT run_id FROM checkpoint_runs WHERE saved_at < $before);
                DELETE FROM run_leases WHERE run_id IN (SELECT run_id FROM checkpoint_runs WHERE saved_at < $before);
                DELETE FROM checkpoint_runs WHERE saved_at < $before;
                SELECT changes();
                """;
            command.Parameters.AddWithValue("$before", savedBefore.UtcTicks);
            return (int)(long)command.ExecuteScalar()!;
        }));
    }

    /// <inheritdoc />
    public ValueTask<RunLease?> TryClaimAsync(string runId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return ValueTask.FromResult(_database.Write((connection, _) =>
            SqliteLeaseRows.TryTake(connection, "run_leases", "run_id", runId, owner, now, expires) is { } token
                ? new RunLease(runId, owner, expires, token)
                : null));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLease>> RenewAsync(string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return ValueTask.FromResult<IReadOnlyList<RunLease>>(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE run_leases SET expires_at = $expires WHERE owner = $owner RETURNING run_id, token;";
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$expires", expires.UtcTicks);
            var renewed = new List<RunLease>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                renewed.Add(new RunLease(reader.GetString(0), owner, expires, reader.GetInt64(1)));
            }

            renewed.Sort(static (a, b) => string.CompareOrdinal(a.RunId, b.RunId));
            return renewed;
        }));
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
        return ValueTask.FromResult<IReadOnlyList<RunLease>>(_database.Write((connection, _) =>
        {
            // Why: one BEGIN IMMEDIATE transaction (the database's write lock) around the pick and the upserts, so two
            // processes can never pick the same run; the pick reads the paused flag from the head JSON like the listing.
            var picked = new List<(string RunId, long Token)>(Math.Min(limit, 64));
            using (SqliteCommand pick = connection.CreateCommand())
            {
                pick.CommandText = """
                    SELECT c.run_id, COALESCE(l.token, 0)
                    FROM checkpoint_runs c LEFT JOIN run_leases l ON l.run_id = c.run_id
                    WHERE (l.run_id IS NULL OR l.owner IS NULL OR l.expires_at <= $now)
                        AND json_extract(c.head, '$.pausedReason') IS NULL
                    ORDER BY c.run_id LIMIT $limit;
                    """;
                pick.Parameters.AddWithValue("$now", now.UtcTicks);
                pick.Parameters.AddWithValue("$limit", limit);
                using SqliteDataReader reader = pick.ExecuteReader();
                while (reader.Read())
                {
                    picked.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            var claimed = new List<RunLease>(picked.Count);
            foreach ((string runId, long token) in picked)
            {
                UpsertLease(connection, runId, owner, expires, token + 1);
                claimed.Add(new RunLease(runId, owner, expires, token + 1));
            }

            return claimed;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE run_leases SET owner = NULL, expires_at = 0 WHERE run_id = $run AND owner = $owner AND token = $token;";
            command.Parameters.AddWithValue("$run", lease.RunId);
            command.Parameters.AddWithValue("$owner", lease.Owner);
            command.Parameters.AddWithValue("$token", lease.Token);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<int> ReleaseAllAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE run_leases SET owner = NULL, expires_at = 0 WHERE owner = $owner;";
            command.Parameters.AddWithValue("$owner", owner);
            return command.ExecuteNonQuery();
        }));
    }

    /// <inheritdoc />
    public ValueTask<RunLease?> GetLeaseAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT owner, expires_at, token FROM run_leases WHERE run_id = $run AND owner IS NOT NULL;";
            command.Parameters.AddWithValue("$run", runId);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read()
                ? new RunLease(runId, reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero), reader.GetInt64(2))
                : null;
        }));
    }

    private static void UpsertLease(SqliteConnection connection, string runId, string owner, DateTimeOffset expires, long token) =>
        SqliteLeaseRows.Upsert(connection, "run_leases", "run_id", runId, owner, expires, token);
}
