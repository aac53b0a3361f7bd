using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The lease rule run leases and schedule leases share, inside a caller's write transaction: a row (key, owner,
/// expires_at, token) is taken when it is free, released or expired, or already held by the same owner (a renewal
/// keeps the token; a hand-over increments it, so the fencing token only grows).
/// </summary>
internal static class PostgreSqlLeaseRows
{
    /// <summary>Takes or renews the lease on <paramref name="key"/> for <paramref name="owner"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="transaction">The write transaction.</param>
    /// <param name="table">The lease table (a constant of the schema).</param>
    /// <param name="keyColumn">Its key column (a constant of the schema).</param>
    /// <param name="key">The leased row's key.</param>
    /// <param name="owner">Who asks.</param>
    /// <param name="now">The asker's clock.</param>
    /// <param name="expires">When the lease ends.</param>
    /// <param name="cancellationToken">A token to cancel the statements.</param>
    /// <returns>The lease's fencing token, or null when another owner holds a live lease.</returns>
    public static async Task<long?> TryTakeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string keyColumn, string key, string owner, DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        // Why: the row exists before it is locked (token 0, released), so two hosts asking for a new lease serialize on it.
        using (NpgsqlCommand ensure = connection.Command(
            $"INSERT INTO {table} ({keyColumn}, owner, expires_at, token) VALUES (@key, NULL, 0, 0) ON CONFLICT ({keyColumn}) DO NOTHING;",
            transaction).Text("key", key))
        {
            await ensure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        string? heldBy;
        long heldUntil;
        long token;
        using (NpgsqlCommand read = connection.Command($"SELECT owner, expires_at, token FROM {table} WHERE {keyColumn} = @key FOR UPDATE;", transaction).Text("key", key))
        {
            using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            heldBy = reader.GetStringOrNull(0);
            heldUntil = reader.GetInt64(1);
            token = reader.GetInt64(2);
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

        using (NpgsqlCommand write = connection.Command($"UPDATE {table} SET owner = @owner, expires_at = @expires, token = @token WHERE {keyColumn} = @key;", transaction)
            .Text("key", key).Text("owner", owner).Long("expires", expires.UtcTicks).Long("token", token))
        {
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return token;
    }
}
