using System.Diagnostics.CodeAnalysis;
using Executus.Configuration;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IConfigSource"/> over a <c>settings</c> table (key, value; keys case-insensitive like every config
/// source): each <see cref="TryGet"/> reads the table, so a value changed at run time — by <see cref="SetAsync"/>, by
/// another process or by hand with the sqlite3 shell — is seen by the next read. Put it first in a
/// <see cref="CompositeConfigSource"/> to override environment settings at run time.
/// </summary>
public sealed class SqliteConfigSource : IConfigSource
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock that stamps changes; the system clock when null.</param>
    public SqliteConfigSource(SqliteDatabase database, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        value = _database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM settings WHERE key = $key;";
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteScalar() as string;
        });
        return value is not null;
    }

    /// <summary>Sets a setting (or removes it when <paramref name="value"/> is null); the next read sees it.</summary>
    /// <param name="key">The key, for example <c>Executus:Runs:DefaultTimeout</c>.</param>
    /// <param name="value">The value, or null to remove the setting.</param>
    /// <param name="cancellationToken">Cancels before the write.</param>
    /// <returns>A task.</returns>
    public ValueTask SetAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        cancellationToken.ThrowIfCancellationRequested();
        long now = _time.GetUtcNow().UtcTicks;
        _database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = value is null
                ? "DELETE FROM settings WHERE key = $key;"
                : "INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $now) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;";
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", (object?)value ?? DBNull.Value);
            command.Parameters.AddWithValue("$now", now);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>Lists every setting, ordered by key.</summary>
    /// <param name="cancellationToken">Cancels before the read.</param>
    /// <returns>The settings.</returns>
    public ValueTask<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read<IReadOnlyList<KeyValuePair<string, string>>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT key, value FROM settings ORDER BY key;";
            var list = new List<KeyValuePair<string, string>>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return list;
        }));
    }
}
