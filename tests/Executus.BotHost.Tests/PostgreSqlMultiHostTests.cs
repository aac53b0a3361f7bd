using Executus.Contrib.PostgreSql.Tests;
using Npgsql;

namespace Executus.BotHost.Tests;

/// <summary>
/// A fresh database on the test PostgreSQL server (EXECUTUS_TEST_POSTGRES, or a cluster this process starts with
/// .ci/pg.sh; the tests fail, never skip, without one), dropped afterwards: hosts on several machines.
/// </summary>
public sealed class PostgreSqlMultiHostBackend : MultiHostBackend
{
    private readonly string _admin;
    private readonly string _database;

    private PostgreSqlMultiHostBackend(string admin, string database, string connectionString)
    {
        _admin = admin;
        _database = database;
        Settings = new Dictionary<string, string>
        {
            ["BotHost:Storage:Provider"] = "postgresql",
            ["BotHost:Storage:PostgreSql"] = connectionString,
        };
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Creates the database.</summary>
    /// <returns>The backend.</returns>
    public static async Task<MultiHostBackend> CreateAsync()
    {
        string admin = PostgresServer.ConnectionString;
        string database = "bothost_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database};", connection);
            await create.ExecuteNonQueryAsync();
        }

        string connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        return new PostgreSqlMultiHostBackend(admin, database, connectionString);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeCoreAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE);", connection);
        await drop.ExecuteNonQueryAsync();
        await base.DisposeCoreAsync();
    }
}

public sealed class PostgreSqlMultiHostScheduleTests : MultiHostScheduleTests
{
    protected override Task<MultiHostBackend> CreateBackendAsync(string folder) => PostgreSqlMultiHostBackend.CreateAsync();
}

public sealed class PostgreSqlMultiHostRunTests : MultiHostRunTests
{
    protected override Task<MultiHostBackend> CreateBackendAsync(string folder) => PostgreSqlMultiHostBackend.CreateAsync();
}
