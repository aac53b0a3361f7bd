using System.Collections.Immutable;
using Executus.Identity;
using Executus.Personas;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IPersonalizationStore"/> on SQLite: one row per (tenant, caller, persona, key); the persona name is
/// matched case-insensitively, as persona names are. The anonymous caller has none and cannot write.
/// </summary>
public sealed class SqlitePersonalizationStore : IPersonalizationStore
{
    private static readonly ImmutableSortedDictionary<string, string> s_empty = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public SqlitePersonalizationStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, string>> GetAsync(CallerIdentity caller, string personaName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        cancellationToken.ThrowIfCancellationRequested();
        if (caller.IsAnonymous)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(s_empty);
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT entry_key, entry_value FROM personalization WHERE tenant = $tenant AND caller_id = $caller AND persona = $persona;";
            AddSlot(command, caller, personaName);
            ImmutableSortedDictionary<string, string>.Builder entries = s_empty.ToBuilder();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                entries[reader.GetString(0)] = reader.GetString(1);
            }

            return entries.ToImmutable();
        }));
    }

    /// <inheritdoc />
    public ValueTask SetAsync(CallerIdentity caller, string personaName, string key, string value, CancellationToken cancellationToken = default)
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

        _database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO personalization (tenant, caller_id, persona, entry_key, entry_value) VALUES ($tenant, $caller, $persona, $key, $value)
                ON CONFLICT (tenant, caller_id, persona, entry_key) DO UPDATE SET entry_value = excluded.entry_value;
                """;
            AddSlot(command, caller, personaName);
            command.Parameters.AddWithValue("$key", key);
            command.Parameters.AddWithValue("$value", value);
            return command.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(CallerIdentity caller, string personaName, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(personaName);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM personalization WHERE tenant = $tenant AND caller_id = $caller AND persona = $persona AND entry_key = $key;";
            AddSlot(command, caller, personaName);
            command.Parameters.AddWithValue("$key", key);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    private static void AddSlot(SqliteCommand command, CallerIdentity caller, string personaName)
    {
        command.Parameters.AddWithValue("$tenant", caller.TenantKey ?? string.Empty);
        command.Parameters.AddWithValue("$caller", caller.Id);
        command.Parameters.AddWithValue("$persona", personaName.ToUpperInvariant());
    }
}
