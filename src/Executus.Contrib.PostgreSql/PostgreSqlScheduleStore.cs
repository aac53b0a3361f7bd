using System.Text.Json;
using Executus.Runs;
using Executus.Schedules;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IScheduleStore"/> on PostgreSQL shared by many hosts: the schedule's definition is a JSON payload, its
/// fire state (next and last fire, last outcome and run) are columns, and leases are rows with a fencing token that
/// only grows. Advancing a schedule is one conditional <c>UPDATE</c> (a compare-and-set: of hosts racing for one
/// occurrence exactly one changes the row), and a lease is taken under the lease row's lock, so each firing is claimed
/// exactly once across hosts.
/// </summary>
public sealed class PostgreSqlScheduleStore : IScheduleStore
{
    private const string Columns = "payload, next_fire_at, last_fire_at, last_outcome, last_run_id";
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public PostgreSqlScheduleStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        cancellationToken.ThrowIfCancellationRequested();
        schedule.Validate();
        string payload = JsonSerializer.Serialize(schedule with { NextFireAt = null, LastFireAt = null, LastOutcome = null, LastRunId = null }, PostgreSqlJson.Options);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            // Why: an existing schedule keeps its last fire state (a host re-saving its schedules at start-up must not forget it).
            using NpgsqlCommand command = connection.Command(
                """
                INSERT INTO schedules (id, enabled, next_fire_at, last_fire_at, last_outcome, last_run_id, payload)
                VALUES (@id, @enabled, @next, @last, @outcome, @run, @payload)
                ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, next_fire_at = excluded.next_fire_at, payload = excluded.payload;
                """,
                transaction)
                .Text("id", schedule.Id).Bool("enabled", schedule.Enabled).Ticks("next", schedule.NextFireAt).Ticks("last", schedule.LastFireAt)
                .Int("outcome", schedule.LastOutcome is { } outcome ? (int)outcome : null).Text("run", schedule.LastRunId).Text("payload", payload);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Schedule?> GetAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command($"SELECT {Columns} FROM schedules WHERE id = @id;").Text("id", scheduleId);
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Materialize(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync<IReadOnlyList<Schedule>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command($"SELECT {Columns} FROM schedules ORDER BY id;");
            var list = new List<Schedule>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(Materialize(reader));
            }

            list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("DELETE FROM schedules WHERE id = @id;", transaction).Text("id", scheduleId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AdvanceAsync(string scheduleId, DateTimeOffset? expectedNextFireAt, DateTimeOffset? nextFireAt, DateTimeOffset? lastFireAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            // Why: a racing host blocks on the row lock and, at READ COMMITTED, re-checks the WHERE against the row the
            // winner committed, so its compare fails: one success per occurrence.
            using NpgsqlCommand command = connection.Command(
                """
                UPDATE schedules SET next_fire_at = @next, last_fire_at = COALESCE(@last, last_fire_at)
                WHERE id = @id AND next_fire_at IS NOT DISTINCT FROM @expected;
                """,
                transaction).Text("id", scheduleId).Ticks("expected", expectedNextFireAt).Ticks("next", nextFireAt).Ticks("last", lastFireAt);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RecordOutcomeAsync(string scheduleId, string runId, RunOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE schedules SET last_outcome = @outcome, last_run_id = @run WHERE id = @id;", transaction)
                .Text("id", scheduleId).Int("outcome", (int)outcome).Text("run", runId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ScheduleLease?> TryAcquireLeaseAsync(string scheduleId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        return await _database.WriteAsync(async (connection, transaction) =>
            await PostgreSqlLeaseRows.TryTakeAsync(connection, transaction, "schedule_leases", "schedule_id", scheduleId, owner, now, expires, cancellationToken).ConfigureAwait(false) is { } token
                ? new ScheduleLease(scheduleId, owner, expires, token)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseLeaseAsync(ScheduleLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("UPDATE schedule_leases SET owner = NULL, expires_at = 0 WHERE schedule_id = @id AND owner = @owner AND token = @token;", transaction)
                .Text("id", lease.ScheduleId).Text("owner", lease.Owner).Long("token", lease.Token);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private Schedule Materialize(NpgsqlDataReader reader)
    {
        Schedule schedule = JsonSerializer.Deserialize<Schedule>(reader.GetString(0), PostgreSqlJson.Options)
            ?? throw new PostgreSqlStoreException("A schedule row has an empty payload.") { Target = _database.Target };
        return schedule with
        {
            NextFireAt = reader.GetTicksOrNull(1),
            LastFireAt = reader.GetTicksOrNull(2),
            LastOutcome = reader.IsDBNull(3) ? null : (RunOutcome)reader.GetInt32(3),
            LastRunId = reader.GetStringOrNull(4),
        };
    }
}
