using Executus.Tools;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>The memory tools' <see cref="IKeyValueStore"/> on SQLite: one row per (scope, key), kept across restarts.</summary>
public sealed class SqliteKeyValueStore : IKeyValueStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public SqliteKeyValueStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT entry_value FROM kv_entries WHERE scope = $scope AND entry_key = $key;";
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteScalar() as string;
        }));
    }

    /// <inheritdoc />
    public ValueTask SetAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        _database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO kv_entries (scope, entry_key, entry_value) VALUES ($scope, $key, $value)
                ON CONFLICT (scope, entry_key) DO UPDATE SET entry_value = excluded.entry_value;
                """;
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM kv_entries WHERE scope = $scope AND entry_key = $key;";
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListAsync(string scope, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read<IReadOnlyList<string>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            // Why: substr compares the exact prefix (LIKE would treat % and _ as wildcards and fold case).
            command.CommandText = "SELECT entry_key FROM kv_entries WHERE scope = $scope AND ($prefix IS NULL OR substr(entry_key, 1, length($prefix)) = $prefix);";
            command.Parameters.AddWithValue("$scope", scope);
            command.Parameters.AddWithValue("$prefix", (object?)prefix ?? DBNull.Value);
            var keys = new List<string>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys.Add(reader.GetString(0));
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        }));
    }
}
