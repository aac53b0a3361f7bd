using System.Collections.Immutable;
using Executus.Identity;
using Executus.Personas;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IPersonalizationStore"/> on PostgreSQL: one row per (tenant, caller, persona, key); the persona name is
/// matched case-insensitively, as persona names are. The anonymous caller has none and cannot write.
/// </summary>
public sealed class PostgreSqlPersonalizationStore : IPersonalizationStore
{
    private static readonly ImmutableSortedDictionary<string, string> s_empty = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public PostgreSqlPersonalizationStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, string>> GetAsync(CallerIdentity caller, string personaName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        cancellationToken.ThrowIfCancellationRequested();
        if (caller.IsAnonymous)
        {
            return s_empty;
        }

        return await _database.ReadAsync<IReadOnlyDictionary<string, string>>(async connection =>
        {
            using NpgsqlCommand command = Slot(connection.Command("SELECT entry_key, entry_value FROM personalization WHERE tenant = @tenant AND caller_id = @caller AND persona = @persona;"), caller, personaName);
            ImmutableSortedDictionary<string, string>.Builder entries = s_empty.ToBuilder();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries[reader.GetString(0)] = reader.GetString(1);
            }

            return entries.ToImmutable();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(CallerIdentity caller, string personaName, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentException.ThrowIfNullOrWhiteSpace(personaName);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        cancellationToken.ThrowIfCancellationRequested();
        if (caller.IsAnonymous)
        {
            throw new ArgumentException("The anonymous caller has no personalization: it would be shared by everyone.", nameof(caller));
        }

        await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = Slot(connection.Command(
                """
                INSERT INTO personalization (tenant, caller_id, persona, entry_key, entry_value) VALUES (@tenant, @caller, @persona, @key, @value)
                ON CONFLICT (tenant, caller_id, persona, entry_key) DO UPDATE SET entry_value = excluded.entry_value;
                """,
                transaction), caller, personaName).Text("key", key).Text("value", value);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(CallerIdentity caller, string personaName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = Slot(connection.Command(
                "DELETE FROM personalization WHERE tenant = @tenant AND caller_id = @caller AND persona = @persona AND entry_key = @key;",
                transaction), caller, personaName).Text("key", key);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Slot(NpgsqlCommand command, CallerIdentity caller, string personaName) =>
        command.Text("tenant", caller.TenantKey ?? string.Empty).Text("caller", caller.Id).Text("persona", personaName.ToUpperInvariant());
}
