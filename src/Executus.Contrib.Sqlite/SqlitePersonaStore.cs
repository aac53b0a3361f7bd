using System.Globalization;
using System.Text.Json;
using Executus.Personas;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="IPersonaStore"/> on SQLite: one JSON row per persona name (case-insensitive), and a per-name revision
/// counter kept apart so a version string is never reused, even after a delete.
/// </summary>
public sealed class SqlitePersonaStore : IPersonaStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    public SqlitePersonaStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    public ValueTask<Persona?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT payload, version FROM personas WHERE name = $name;";
            command.Parameters.AddWithValue("$name", name);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? Materialize(reader) : null;
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Persona>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Read<IReadOnlyList<Persona>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT payload, version FROM personas;";
            using SqliteDataReader reader = command.ExecuteReader();
            var list = new List<Persona>();
            while (reader.Read())
            {
                list.Add(Materialize(reader));
            }

            list.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            return list;
        }));
    }

    /// <inheritdoc />
    public ValueTask<Persona> PutAsync(Persona persona, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persona);
        cancellationToken.ThrowIfCancellationRequested();
        string payload = JsonSerializer.Serialize(persona with { Version = null }, SqliteJson.Options);
        long revision = _database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO persona_revisions (name, revision) VALUES ($name, 1)
                    ON CONFLICT (name) DO UPDATE SET revision = revision + 1;
                INSERT INTO personas (name, version, payload) VALUES ($name, (SELECT revision FROM persona_revisions WHERE name = $name), $payload)
                    ON CONFLICT (name) DO UPDATE SET name = excluded.name, version = excluded.version, payload = excluded.payload;
                SELECT revision FROM persona_revisions WHERE name = $name;
                """;
            command.Parameters.AddWithValue("$name", persona.Name);
            command.Parameters.AddWithValue("$payload", payload);
            return (long)command.ExecuteScalar()!;
        });
        return ValueTask.FromResult(persona with { Version = revision.ToString(CultureInfo.InvariantCulture) });
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM personas WHERE name = $name;";
            command.Parameters.AddWithValue("$name", name);
            return command.ExecuteNonQuery() > 0;
        }));
    }

    private Persona Materialize(SqliteDataReader reader)
    {
        Persona persona = JsonSerializer.Deserialize<Persona>(reader.GetString(0), SqliteJson.Options)
            ?? throw new SqliteStoreException("A persona row has an empty payload.") { DataSource = _database.DataSource };
        return persona with { Version = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture) };
    }
}
