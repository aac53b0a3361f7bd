using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// The lease rule run leases and schedule leases share, inside a caller's <c>BEGIN IMMEDIATE</c> write: a row
/// (key, owner, expires_at, token) is taken when it is free, released or expired, or already held by the same owner
/// (a renewal keeps the token; a hand-over increments it, so the fencing token only grows).
/// </summary>
internal static class SqliteLeaseRows
{
    /// <summary>Takes or renews the lease on <paramref name="key"/> for <paramref name="owner"/>.</summary>
    /// <param name="connection">The connection, inside the write transaction.</param>
    /// <param name="table">The lease table (a constant of the schema).</param>
    /// <param name="keyColumn">Its key column (a constant of the schema).</param>
    /// <param name="key">The leased row's key.</param>
    /// <param name="owner">Who asks.</param>
    /// <param name="now">The asker's clock.</param>
    /// <param name="expires">When the lease ends.</param>
    /// <returns>The lease's fencing token, or null when another owner holds a live lease.</returns>
    public static long? TryTake(SqliteConnection connection, string table, string keyColumn, string key, string owner, DateTimeOffset now, DateTimeOffset expires)
    {
        string? heldBy = null;
        long heldUntil = 0;
        long token = 0;
        using (SqliteCommand read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT owner, expires_at, token FROM {table} WHERE {keyColumn} = $key;";
            read.Parameters.AddWithValue("$key", key);
            using SqliteDataReader reader = read.ExecuteReader();
            if (reader.Read())
            {
                heldBy = reader.IsDBNull(0) ? null : reader.GetString(0);
                heldUntil = reader.GetInt64(1);
                token = reader.GetInt64(2);
            }
        }

        bool live = heldBy is not null && heldUntil > now.UtcTicks;
        if (live && !string.Equals(heldBy, owner, StringComparison.Ordinal))
        {
            return null;
        }

        if (!live)
        {
            token++;
        }

        Upsert(connection, table, keyColumn, key, owner, expires, token);
        return token;
    }

    /// <summary>Writes a lease row as given.</summary>
    /// <param name="connection">The connection, inside the write transaction.</param>
    /// <param name="table">The lease table (a constant of the schema).</param>
    /// <param name="keyColumn">Its key column (a constant of the schema).</param>
    /// <param name="key">The leased row's key.</param>
    /// <param name="owner">The owner.</param>
    /// <param name="expires">When the lease ends.</param>
    /// <param name="token">The fencing token.</param>
    public static void Upsert(SqliteConnection connection, string table, string keyColumn, string key, string owner, DateTimeOffset expires, long token)
    {
        using SqliteCommand write = connection.CreateCommand();
        write.CommandText = $"""
            INSERT INTO {table} ({keyColumn}, owner, expires_at, token) VALUES ($key, $owner, $expires, $token)
            ON CONFLICT ({keyColumn}) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, token = excluded.token;
            """;
        write.Parameters.AddWithValue("$key", key);
        write.Parameters.AddWithValue("$owner", owner);
        write.Parameters.AddWithValue("$expires", expires.UtcTicks);
        write.Parameters.AddWithValue("$token", token);
        write.ExecuteNonQuery();
    }
}
