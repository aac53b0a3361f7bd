using System.Diagnostics;
using Executus.Batteries.Budget;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite.Tests;

public sealed class SqliteDatabaseTests
{
    [Fact]
    public async Task Migrations_are_versioned_idempotent_and_turn_on_wal()
    {
        using var db = new TestDatabase();
        Assert.Equal(0, await db.Database.GetStoredSchemaVersionAsync());
        await db.Database.MigrateAsync();
        await db.Database.MigrateAsync();
        await new SqliteDatabase(db.ConnectionString).MigrateAsync();

        Assert.Equal(SqliteDatabase.SchemaVersion, await db.Database.GetStoredSchemaVersionAsync());
        using var connection = new SqliteConnection(db.ConnectionString);
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('budget_ledger','audit_events','checkpoint_runs','checkpoint_messages','personas','skills','kv_entries','settings');";
        Assert.Equal(8L, command.ExecuteScalar());
        Assert.Equal("ok", await db.Database.CheckIntegrityAsync());
    }

    [Fact]
    public async Task A_version_2_file_migrates_to_run_leases_and_its_checkpoints_become_claimable()
    {
        using var db = new TestDatabase();
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = SqliteSchema.Migrations[0] + SqliteSchema.Migrations[1] + """
                PRAGMA user_version = 2;
                INSERT INTO checkpoint_runs (run_id, agent_name, caller_id, fairness_key, iteration, message_count, saved_at, head)
                VALUES ('old-run', 'agent', 'anonymous', 'anonymous', 1, 0, 0, '{}');
                """;
            command.ExecuteNonQuery();
        }

        var store = new SqliteCheckpointStore(new SqliteDatabase(db.ConnectionString));
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        IReadOnlyList<Executus.Checkpoints.RunLease> claimed = await store.ClaimInterruptedAsync("host-a", now, TimeSpan.FromMinutes(1), 10);

        Assert.Equal(3, SqliteDatabase.SchemaVersion);
        Assert.Equal(SqliteDatabase.SchemaVersion, await db.Database.GetStoredSchemaVersionAsync());
        Assert.Equal(new Executus.Checkpoints.RunLease("old-run", "host-a", now.AddMinutes(1), 1), Assert.Single(claimed));
    }

    [Fact]
    public async Task A_database_newer_than_the_code_is_refused()
    {
        using var db = new TestDatabase();
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteDatabase.SchemaVersion + 1};";
            command.ExecuteNonQuery();
        }

        SqliteSchemaVersionException error = await Assert.ThrowsAsync<SqliteSchemaVersionException>(async () => await db.Database.MigrateAsync());
        Assert.Equal(SqliteDatabase.SchemaVersion + 1, error.DatabaseVersion);
        Assert.Equal(SqliteDatabase.SchemaVersion, error.CodeVersion);
        Assert.Contains(db.FilePath, error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SqliteSchemaVersionException>(async () => await new SqliteKeyValueStore(db.Database).GetAsync("s", "k"));
    }

    [Fact]
    public async Task A_write_locked_past_the_busy_timeout_is_a_typed_error_and_reads_go_on()
    {
        using var db = new TestDatabase(new SqliteDatabaseOptions { BusyTimeout = TimeSpan.FromMilliseconds(100) });
        var store = new SqliteKeyValueStore(db.Database);
        await store.SetAsync("s", "k", "before");
        using var holder = new SqliteConnection(db.ConnectionString);
        holder.Open();
        using SqliteTransaction held = holder.BeginTransaction(deferred: false);

        var clock = Stopwatch.StartNew();
        SqliteStoreBusyException error = await Assert.ThrowsAsync<SqliteStoreBusyException>(async () => await store.SetAsync("s", "k", "after"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"waited {clock.Elapsed}");
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.BusyTimeout);
        Assert.Equal(db.FilePath, error.DataSource);
        Assert.Equal("before", await store.GetAsync("s", "k")); // WAL: a reader is never blocked by the writer

        held.Rollback();
        await store.SetAsync("s", "k", "after");
        Assert.Equal("after", await store.GetAsync("s", "k"));
    }

    [Fact]
    public async Task A_corrupt_file_is_a_typed_error()
    {
        using var db = new TestDatabase();
        await File.WriteAllBytesAsync(db.FilePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);

        SqliteStoreCorruptException error = await Assert.ThrowsAsync<SqliteStoreCorruptException>(async () => await db.Database.MigrateAsync());
        Assert.Equal(db.FilePath, error.DataSource);
    }

    [Fact]
    public async Task Data_survives_a_new_database_instance_over_the_same_file()
    {
        using var db = new TestDatabase();
        await new SqliteKeyValueStore(db.Database).SetAsync("s", "k", "kept");
        SqliteConnection.ClearAllPools();

        Assert.Equal("kept", await new SqliteKeyValueStore(new SqliteDatabase(db.ConnectionString)).GetAsync("s", "k"));
    }

    [Fact]
    public async Task Two_hosts_on_one_file_cannot_overspend_a_cap()
    {
        using var db = new TestDatabase();
        // Why two SqliteDatabase objects: two connection pools, as two host processes on one file would have.
        IBudgetStore[] hosts = [new SqliteBudgetStore(db.Database), new SqliteBudgetStore(new SqliteDatabase(db.ConnectionString))];
        DateTimeOffset now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        BudgetScopeLimit cap = new(BudgetScopeKey.Tenant("acme"), MaxTokens: 1000);
        int granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            IBudgetStore store = hosts[i % 2];
            var request = new BudgetReservationRequest($"r{i}", [cap], new BudgetAmount(100, 0m), now, TimeSpan.FromDays(7), now.AddMinutes(10));
            if ((await store.TryReserveAsync(request)).Granted)
            {
                Interlocked.Increment(ref granted);
            }
        })));

        Assert.Equal(10, granted);
        Assert.Equal(1000, (await hosts[1].GetReservedAsync(cap.Key, now)).Tokens);
    }

    [Fact]
    public void Bad_connection_strings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SqliteDatabase("Nonsense Key=1"));
        Assert.Throws<ArgumentException>(() => new SqliteDatabase("Cache=Shared"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteDatabase("Data Source=x.db", new SqliteDatabaseOptions { BusyTimeout = TimeSpan.Zero }));
    }
}
