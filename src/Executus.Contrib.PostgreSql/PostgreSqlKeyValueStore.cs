using System.Text;
using Executus.Tools;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>The memory tools' <see cref="IKeyValueStore"/> on PostgreSQL: one row per (scope, key), shared by every host; values are UTF-8 bytes (PostgreSQL text cannot hold U+0000).</summary>
public sealed class PostgreSqlKeyValueStore : IKeyValueStore
{
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public PostgreSqlKeyValueStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT entry_value FROM kv_entries WHERE scope = @scope AND entry_key = @key;").Text("scope", scope).Text("key", key);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        cancellationToken.ThrowIfCancellationRequested();
        await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                INSERT INTO kv_entries (scope, entry_key, entry_value) VALUES (@scope, @key, @value)
                ON CONFLICT (scope, entry_key) DO UPDATE SET entry_value = excluded.entry_value;
                """,
                transaction).Text("scope", scope).Text("key", key).Bytes("value", Encoding.UTF8.GetBytes(value));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("DELETE FROM kv_entries WHERE scope = @scope AND entry_key = @key;", transaction).Text("scope", scope).Text("key", key);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ListAsync(string scope, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync<IReadOnlyList<string>>(async connection =>
        {
            // Why: left() compares the exact prefix (LIKE would treat % and _ as wildcards).
            using NpgsqlCommand command = connection.Command(
                "SELECT entry_key FROM kv_entries WHERE scope = @scope AND (@prefix::text IS NULL OR left(entry_key, char_length(@prefix)) = @prefix) ORDER BY entry_key;")
                .Text("scope", scope).Text("prefix", prefix);
            var keys = new List<string>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(reader.GetString(0));
            }

            keys.Sort(StringComparer.Ordinal);
            return keys;
        }, cancellationToken).ConfigureAwait(false);
    }
}
