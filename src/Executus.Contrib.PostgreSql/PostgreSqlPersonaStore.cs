using System.Globalization;
using System.Text.Json;
using Executus.Personas;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IPersonaStore"/> on PostgreSQL: one JSON row per persona name (matched case-insensitively), and a
/// per-name revision counter kept apart so a version string is never reused, even after a delete.
/// </summary>
public sealed class PostgreSqlPersonaStore : IPersonaStore
{
    private readonly PostgreSqlDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public PostgreSqlPersonaStore(PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public async ValueTask<Persona?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT payload, version FROM personas WHERE name_key = @name;").Text("name", Key(name));
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Materialize(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Persona>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync<IReadOnlyList<Persona>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT payload, version FROM personas;");
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<Persona>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(Materialize(reader));
            }

            list.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Persona> PutAsync(Persona persona, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persona);
        cancellationToken.ThrowIfCancellationRequested();
        string payload = JsonSerializer.Serialize(persona with { Version = null }, PostgreSqlJson.Options);
        long revision = await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command(
                """
                WITH rev AS (
                    INSERT INTO persona_revisions (name_key, revision) VALUES (@name, 1)
                    ON CONFLICT (name_key) DO UPDATE SET revision = persona_revisions.revision + 1
                    RETURNING revision)
                INSERT INTO personas (name_key, version, payload) SELECT @name, revision, @payload FROM rev
                ON CONFLICT (name_key) DO UPDATE SET version = excluded.version, payload = excluded.payload
                RETURNING version;
                """,
                transaction).Text("name", Key(persona.Name)).Text("payload", payload);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
        return persona with { Version = revision.ToString(CultureInfo.InvariantCulture) };
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            using NpgsqlCommand command = connection.Command("DELETE FROM personas WHERE name_key = @name;", transaction).Text("name", Key(name));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static string Key(string name) => name.ToUpperInvariant();

    private Persona Materialize(NpgsqlDataReader reader)
    {
        Persona persona = JsonSerializer.Deserialize<Persona>(reader.GetString(0), PostgreSqlJson.Options)
            ?? throw new PostgreSqlStoreException("A persona row has an empty payload.") { Target = _database.Target };
        return persona with { Version = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture) };
    }
}
