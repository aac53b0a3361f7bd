using System.Text.Json;
using Executus.Skills;
using Microsoft.Data.Sqlite;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// An <see cref="ISkillStore"/> on SQLite: every version is an immutable JSON row; a head row per (tenant, name) holds
/// the lifecycle state and the active pointer. The lifecycle rule (nothing returns to draft) and tenant scopes (null is
/// the shared scope; a blank tenant is refused) are enforced as in memory.
/// </summary>
public sealed class SqliteSkillStore : ISkillStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock for version and change times; the system clock when null.</param>
    public SqliteSkillStore(SqliteDatabase database, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ValueTask<SkillVersion?> GetAsync(string? tenant, string name, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = version is null
                ? "SELECT v.version, v.created_at, v.payload FROM skills s JOIN skill_versions v ON v.tenant = s.tenant AND v.name = s.name AND v.version = s.active_version WHERE s.tenant = $tenant AND s.name = $name;"
                : "SELECT version, created_at, payload FROM skill_versions WHERE tenant = $tenant AND name = $name AND version = $version;";
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$version", (object?)version ?? DBNull.Value);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? ReadVersion(reader, tenant) : null;
        }));
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo?> GetInfoAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Read(connection => FindInfo(connection, tenant, scope, name)));
    }

    /// <inheritdoc />
    public ValueTask<SkillPage> ListAsync(string? tenant, SkillState? state = null, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Read(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT {InfoColumns} FROM skills
                WHERE tenant = $tenant AND ($state IS NULL OR state = $state) AND ($cursor IS NULL OR name > $cursor)
                ORDER BY name LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$state", state is null ? DBNull.Value : (int)state.Value);
            command.Parameters.AddWithValue("$cursor", (object?)cursor ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit + 1);
            var items = new List<SkillInfo>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(ReadInfo(reader, tenant));
            }

            bool more = items.Count > limit;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return new SkillPage(items, more ? items[^1].Name : null);
        }));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SkillVersion>> ListVersionsAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Read<IReadOnlyList<SkillVersion>>(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT version, created_at, payload FROM skill_versions WHERE tenant = $tenant AND name = $name ORDER BY version;";
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$name", name);
            var versions = new List<SkillVersion>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                versions.Add(ReadVersion(reader, tenant));
            }

            return versions;
        }));
    }

    /// <inheritdoc />
    public ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        DateTimeOffset now = _time.GetUtcNow();
        string payload = JsonSerializer.Serialize(skill, SqliteJson.Options);
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            SkillInfo? info = FindInfo(connection, tenant, scope, skill.Name);
            int version = (info?.LatestVersion ?? 0) + 1;
            InsertVersion(connection, scope, skill.Name, version, now, payload);
            using SqliteCommand head = connection.CreateCommand();
            head.CommandText = info is null
                ? "INSERT INTO skills (tenant, name, state, active_version, latest_version, description, created_at, updated_at) VALUES ($tenant, $name, $draft, 1, 1, $description, $now, $now);"
                : "UPDATE skills SET latest_version = $version, updated_at = $now WHERE tenant = $tenant AND name = $name;";
            head.Parameters.AddWithValue("$tenant", scope);
            head.Parameters.AddWithValue("$name", skill.Name);
            head.Parameters.AddWithValue("$draft", (int)SkillState.Draft);
            head.Parameters.AddWithValue("$description", skill.Description);
            head.Parameters.AddWithValue("$version", version);
            head.Parameters.AddWithValue("$now", now.UtcTicks);
            head.ExecuteNonQuery();
            return new SkillVersion(tenant, version, skill, now);
        }));
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            SkillInfo info = FindInfo(connection, tenant, scope, name) ?? throw new SkillNotFoundException(tenant, name);
            if (version < 1 || version > info.LatestVersion)
            {
                throw new SkillNotFoundException(tenant, name, version);
            }

            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = """
                UPDATE skills SET active_version = $version, updated_at = $now,
                    description = (SELECT json_extract(payload, '$.description') FROM skill_versions WHERE tenant = $tenant AND name = $name AND version = $version)
                WHERE tenant = $tenant AND name = $name;
                """;
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().UtcTicks);
            command.ExecuteNonQuery();
            return FindInfo(connection, tenant, scope, name)!;
        }));
    }

    /// <inheritdoc />
    public ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            SkillInfo info = FindInfo(connection, tenant, scope, name) ?? throw new SkillNotFoundException(tenant, name);
            SkillLifecycle.Check(name, info.State, state);
            if (info.State == state)
            {
                return info;
            }

            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE skills SET state = $state, updated_at = $now WHERE tenant = $tenant AND name = $name;";
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$state", (int)state);
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().UtcTicks);
            command.ExecuteNonQuery();
            return FindInfo(connection, tenant, scope, name)!;
        }));
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM skill_versions WHERE tenant = $tenant AND name = $name; DELETE FROM skills WHERE tenant = $tenant AND name = $name; SELECT changes();";
            command.Parameters.AddWithValue("$tenant", scope);
            command.Parameters.AddWithValue("$name", name);
            return (long)command.ExecuteScalar()! > 0;
        }));
    }

    /// <summary>
    /// Seeds <paramref name="skill"/> from a folder: a skill new to the store, or content that no stored version has,
    /// becomes a new version, made active in the Active state; content equal to any stored version changes nothing, so
    /// what an operator chose since (another active version, a roll back, a retired skill) survives the host's next
    /// start. How folder skills seed a durable store at every start without piling up versions.
    /// </summary>
    /// <param name="tenant">The tenant scope, or null for the shared scope.</param>
    /// <param name="skill">The skill.</param>
    /// <param name="cancellationToken">Cancels before the write.</param>
    /// <returns>The skill's record after the import.</returns>
    public ValueTask<SkillInfo> ImportAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        DateTimeOffset now = _time.GetUtcNow();
        string payload = JsonSerializer.Serialize(skill, SqliteJson.Options);
        return ValueTask.FromResult(_database.Write((connection, _) =>
        {
            SkillInfo? info = FindInfo(connection, tenant, scope, skill.Name);
            if (info is not null && HasVersionWithContent(connection, tenant, scope, skill))
            {
                return info;
            }

            int latest = (info?.LatestVersion ?? 0) + 1;
            InsertVersion(connection, scope, skill.Name, latest, now, payload);
            using SqliteCommand head = connection.CreateCommand();
            head.CommandText = """
                INSERT INTO skills (tenant, name, state, active_version, latest_version, description, created_at, updated_at)
                VALUES ($tenant, $name, $active, $latest, $latest, $description, $now, $now)
                ON CONFLICT (tenant, name) DO UPDATE SET state = $active, active_version = $latest, latest_version = $latest,
                    description = $description, updated_at = $now;
                """;
            head.Parameters.AddWithValue("$tenant", scope);
            head.Parameters.AddWithValue("$name", skill.Name);
            head.Parameters.AddWithValue("$active", (int)SkillState.Active);
            head.Parameters.AddWithValue("$latest", latest);
            head.Parameters.AddWithValue("$description", skill.Description);
            head.Parameters.AddWithValue("$now", now.UtcTicks);
            head.ExecuteNonQuery();
            return FindInfo(connection, tenant, scope, skill.Name)!;
        }));
    }

    private static bool HasVersionWithContent(SqliteConnection connection, string? tenant, string scope, Skill skill)
    {
        using SqliteCommand versions = connection.CreateCommand();
        versions.CommandText = "SELECT version, created_at, payload FROM skill_versions WHERE tenant = $tenant AND name = $name ORDER BY version DESC;";
        versions.Parameters.AddWithValue("$tenant", scope);
        versions.Parameters.AddWithValue("$name", skill.Name);
        using SqliteDataReader reader = versions.ExecuteReader();
        while (reader.Read())
        {
            if (ReadVersion(reader, tenant).Skill.ContentEquals(skill))
            {
                return true;
            }
        }

        return false;
    }

    private const string InfoColumns = "name, state, active_version, latest_version, description, created_at, updated_at";

    private static void InsertVersion(SqliteConnection connection, string scope, string name, int version, DateTimeOffset now, string payload)
    {
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO skill_versions (tenant, name, version, created_at, payload) VALUES ($tenant, $name, $version, $now, $payload);";
        insert.Parameters.AddWithValue("$tenant", scope);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$version", version);
        insert.Parameters.AddWithValue("$now", now.UtcTicks);
        insert.Parameters.AddWithValue("$payload", payload);
        insert.ExecuteNonQuery();
    }

    private static SkillInfo? FindInfo(SqliteConnection connection, string? tenant, string scope, string name)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT {InfoColumns} FROM skills WHERE tenant = $tenant AND name = $name;";
        command.Parameters.AddWithValue("$tenant", scope);
        command.Parameters.AddWithValue("$name", name);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? ReadInfo(reader, tenant) : null;
    }

    private static SkillInfo ReadInfo(SqliteDataReader reader, string? tenant) => new(
        tenant,
        reader.GetString(0),
        (SkillState)reader.GetInt32(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        reader.GetString(4),
        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero));

    private static SkillVersion ReadVersion(SqliteDataReader reader, string? tenant)
    {
        Skill skill = JsonSerializer.Deserialize<Skill>(reader.GetString(2), SqliteJson.Options)
            ?? throw new SqliteStoreException("A skill version row has an empty payload.");
        return new SkillVersion(tenant, reader.GetInt32(0), skill, new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
    }

    // Why: null is the shared scope; a blank tenant would silently alias it.
    private static string Scope(string? tenant) =>
        tenant is null ? string.Empty
        : string.IsNullOrWhiteSpace(tenant) ? throw new ArgumentException("A tenant must not be blank; pass null for the shared scope.", nameof(tenant))
        : tenant;
}
