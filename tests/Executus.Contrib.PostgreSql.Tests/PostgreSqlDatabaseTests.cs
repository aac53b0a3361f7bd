using System.Net;
using System.Net.Sockets;
using Executus.Schedules;
using Npgsql;

namespace Executus.Contrib.PostgreSql.Tests;

public sealed class PostgreSqlDatabaseTests
{
    [Fact]
    public async Task Migration_runs_once_and_stores_the_version_even_when_hosts_start_together()
    {
        using var schema = new TestSchema();
        Assert.Equal(0, await schema.Database.GetStoredSchemaVersionAsync());

        PostgreSqlDatabase[] hosts = [schema.Database, schema.NewHost(), schema.NewHost(), schema.NewHost()];
        await Task.WhenAll(hosts.Select(h => Task.Run(() => h.MigrateAsync())));

        Assert.Equal(PostgreSqlDatabase.SchemaVersion, await schema.Database.GetStoredSchemaVersionAsync());
        await schema.NewHost().MigrateAsync();
        Assert.Equal(PostgreSqlDatabase.SchemaVersion, await schema.Database.GetStoredSchemaVersionAsync());
    }

    [Fact]
    public async Task A_database_migrated_by_newer_code_is_refused_with_a_typed_error()
    {
        using var schema = new TestSchema();
        await schema.Database.MigrateAsync();
        await using (NpgsqlConnection connection = await schema.Database.DataSource.OpenConnectionAsync())
        {
            await using var bump = new NpgsqlCommand("UPDATE executus_schema_version SET version = version + 5;", connection);
            await bump.ExecuteNonQueryAsync();
        }

        PostgreSqlDatabase newer = schema.NewHost();
        var store = new PostgreSqlKeyValueStore(newer);
        PostgreSqlSchemaVersionException error = await Assert.ThrowsAsync<PostgreSqlSchemaVersionException>(async () => await store.GetAsync("s", "k"));
        Assert.Equal(PostgreSqlDatabase.SchemaVersion + 5, error.DatabaseVersion);
        Assert.Equal(PostgreSqlDatabase.SchemaVersion, error.CodeVersion);
        Assert.Contains(newer.Target, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_a_typed_error_naming_it()
    {
        int port = FreePort();
        await using var database = new PostgreSqlDatabase($"Host=127.0.0.1;Port={port};Username=nobody;Database=nowhere;Timeout=3");
        var store = new PostgreSqlKeyValueStore(database);

        PostgreSqlStoreUnavailableException error = await Assert.ThrowsAsync<PostgreSqlStoreUnavailableException>(async () => await store.SetAsync("s", "k", "v"));
        Assert.Equal($"127.0.0.1:{port}/nowhere", error.Target);
        Assert.Contains($"127.0.0.1:{port}/nowhere", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [Fact]
    public async Task A_row_lock_held_past_the_lock_timeout_fails_as_busy_after_the_retries_and_writes_nothing()
    {
        using var schema = new TestSchema(new PostgreSqlDatabaseOptions { LockTimeout = TimeSpan.FromMilliseconds(50), MaxAttempts = 3 });
        var store = new PostgreSqlScheduleStore(schema.Database);
        var now = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.NotNull(await store.TryAcquireLeaseAsync("s1", "host-a", now, TimeSpan.FromMinutes(1)));

        // Another "host" holds the lease row's lock in an open transaction.
        await using NpgsqlConnection holder = await schema.Database.DataSource.OpenConnectionAsync();
        await using NpgsqlTransaction held = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM schedule_leases WHERE schedule_id = 's1' FOR UPDATE;", holder, held))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        PostgreSqlStoreBusyException error = await Assert.ThrowsAsync<PostgreSqlStoreBusyException>(async () =>
            await store.TryAcquireLeaseAsync("s1", "host-b", now.AddMinutes(5), TimeSpan.FromMinutes(1)));
        Assert.Equal(3, error.Attempts);
        Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
        Assert.Contains("lock timeout", error.Message, StringComparison.Ordinal);
        await held.RollbackAsync();

        // Nothing was written: the expired lease still passes to host-b with the next token.
        ScheduleLease? lease = await store.TryAcquireLeaseAsync("s1", "host-b", now.AddMinutes(5), TimeSpan.FromMinutes(1));
        Assert.Equal(2, lease?.Token);
    }

    [Fact]
    public void Bad_connection_strings_and_options_are_refused_up_front()
    {
        Assert.Throws<ArgumentException>(() => new PostgreSqlDatabase("NotAKey=1"));
        Assert.Throws<ArgumentException>(() => new PostgreSqlDatabase("Database=x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlDatabase("Host=h", new PostgreSqlDatabaseOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgreSqlDatabase("Host=h", new PostgreSqlDatabaseOptions { LockTimeout = TimeSpan.Zero }));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
