using System.Text.Json;
using Executus.Runs;
using Executus.Schedules;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IScheduleStore"/> on SQLite: the schedule's definition is a JSON payload, its fire state (next and last
/// fire, last outcome and run) are columns, and leases are rows with a fencing token that only grows. Advancing a
/// schedule and taking a lease are each one <c>BEGIN IMMEDIATE</c> compare-and-set, so hosts sharing the file fire an
/// occurrence once.
/// </summary>
public sealed class SqliteScheduleStore : IScheduleStore
{
    private const string Columns = "payload, next_fire_at, last_fire_at, last_outcome, last_run_id";
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public SqliteScheduleStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        cancellationToken.ThrowIfCancellationRequested();
        schedule.Validate();
        string payload = JsonSerializer.Serialize(schedule with { NextFireAt = null, LastFireAt = null, LastOutcome = null, LastRunId = null }, SqliteJson.Options);
        _database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            // Why: an existing schedule keeps its last fire state (a host re-saving its schedules at start-up must not forget it).
            command.CommandText = """
                INSERT INTO schedules (id, enabled, next_fire_at, last_fire_at, last_outcome, last_run_id, payload)
                VALUES ($id, $enabled, $next, $last, $outcome, $run, $payload)
                ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, next_fire_at = excluded.next_fire_at, payload = excluded.payload;
                """;
            command.Parameters.AddWithValue("$id", schedule.Id);
            command.Parameters.AddWithValue("$enabled", schedule.Enabled ? 1 : 0);
            command.Parameters.AddWithValue("$next", Ticks(schedule.NextFireAt));
            command.Parameters.AddWithValue("$last", Ticks(schedule.LastFireAt));
            command.Parameters.AddWithValue("$outcome", schedule.LastOutcome is { } outcome ? (int)outcome : DBNull.Value);
            command.Parameters.AddWithValue("$run", (object?)schedule.LastRunId ?? DBNull.Value);
            command.Parameters.AddWithValue("$payload", payload);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<Schedule?> GetAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM schedules WHERE id = $id;";
            command.Parameters.AddWithValue("$id", scheduleId);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? Materialize(reader) : null;
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read<IReadOnlyList<Schedule>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM schedules ORDER BY id;";
            var list = new List<Schedule>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(Materialize(reader));
            }

            list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return list;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM schedules WHERE id = $id;";
            command.Parameters.AddWithValue("$id", scheduleId);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> AdvanceAsync(string scheduleId, DateTimeOffset? expectedNextFireAt, DateTimeOffset? nextFireAt, DateTimeOffset? lastFireAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                UPDATE schedules SET next_fire_at = $next, last_fire_at = COALESCE($last, last_fire_at)
                WHERE id = $id AND next_fire_at IS $expected;
                """;
            command.Parameters.AddWithValue("$id", scheduleId);
            command.Parameters.AddWithValue("$expected", Ticks(expectedNextFireAt));
            command.Parameters.AddWithValue("$next", Ticks(nextFireAt));
            command.Parameters.AddWithValue("$last", Ticks(lastFireAt));
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> RecordOutcomeAsync(string scheduleId, string runId, RunOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE schedules SET last_outcome = $outcome, last_run_id = $run WHERE id = $id;";
            command.Parameters.AddWithValue("$id", scheduleId);
            command.Parameters.AddWithValue("$outcome", (int)outcome);
            command.Parameters.AddWithValue("$run", runId);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<ScheduleLease?> TryAcquireLeaseAsync(string scheduleId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return ValueTask.FromResult(_database.Write((connection, _) =>
            SqliteLeaseRows.TryTake(connection, "schedule_leases", "schedule_id", scheduleId, owner, now, expires) is { } token
                ? new ScheduleLease(scheduleId, owner, expires, token)
                : null));
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseLeaseAsync(ScheduleLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE schedule_leases SET owner = NULL, expires_at = 0 WHERE schedule_id = $id AND owner = $owner AND token = $token;";
            command.Parameters.AddWithValue("$id", lease.ScheduleId);
            command.Parameters.AddWithValue("$owner", lease.Owner);
            command.Parameters.AddWithValue("$token", lease.Token);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    private static object Ticks(DateTimeOffset? value) => value is { } v ? v.UtcTicks : DBNull.Value;

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private Schedule Materialize(SqliteDataReader reader)
    {
        Schedule schedule = JsonSerializer.Deserialize<Schedule>(reader.GetString(0), SqliteJson.Options)
            ?? throw new SqliteStoreException("A schedule row has an empty payload.") { DataSource = _database.DataSource };
        return schedule with
        {
            NextFireAt = Time(reader, 1),
            LastFireAt = Time(reader, 2),
            LastOutcome = reader.IsDBNull(3) ? null : (RunOutcome)reader.GetInt32(3),
            LastRunId = reader.IsDBNull(4) ? null : reader.GetString(4),
        };
    }
}
