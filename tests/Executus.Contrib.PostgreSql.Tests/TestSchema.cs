using Npgsql;

namespace Executus.Contrib.PostgreSql.Tests;

/// <summary>
/// A fresh schema of the test server per test (tables are created in it through the connection's search path), so test
/// classes run in parallel; <see cref="NewHost"/> gives another "host": its own data source and database object over
/// the same schema. Dropped at the end.
/// </summary>
internal sealed class TestSchema : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public TestSchema(PostgreSqlDatabaseOptions? options = null)
    {
        Name = "t_" + Guid.NewGuid().ToString("N");
        using (var admin = new NpgsqlConnection(PostgresServer.ConnectionString))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE SCHEMA {Name};", admin);
            create.ExecuteNonQuery();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { SearchPath = Name }.ConnectionString;
        Options = options;
        Database = NewHost();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public PostgreSqlDatabaseOptions? Options { get; }

    public PostgreSqlDatabase Database { get; }

    /// <summary>Another host on the same schema: its own data source (connection pool) and database object.</summary>
    public PostgreSqlDatabase NewHost(PostgreSqlDatabaseOptions? options = null)
    {
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(ConnectionString);
        var database = new PostgreSqlDatabase(dataSource, options ?? Options);
        lock (_owned)
        {
            _owned.Add(dataSource);
        }

        return database;
    }

    public void Dispose()
    {
        lock (_owned)
        {
            foreach (IDisposable owned in _owned)
            {
                owned.Dispose();
            }
        }

        using var admin = new NpgsqlConnection(PostgresServer.ConnectionString);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE;", admin);
        drop.ExecuteNonQuery();
    }
}
