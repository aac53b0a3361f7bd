using System.Text.Json;
using Executus.Skills;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="ISkillStore"/> on PostgreSQL: every version is an immutable JSON row; a head row per (tenant, name)
/// holds the lifecycle state and the active pointer, locked for every change so hosts never interleave. The lifecycle
/// rule (nothing returns to draft) and tenant scopes (null is the shared scope; a blank tenant is refused) are enforced
/// as in memory. Every change sends a <see cref="PostgreSqlChangeEventArgs.SkillKind"/> notification, so other hosts'
/// <see cref="PostgreSqlChangeFeed"/> see an activation at once.
/// </summary>
public sealed class PostgreSqlSkillStore : ISkillStore
{
    private const string InfoColumns = "name, state, active_version, latest_version, description, created_at, updated_at";
    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock for version and change times; the system clock when null.</param>
    public PostgreSqlSkillStore(PostgreSqlDatabase database, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<SkillVersion?> GetAsync(string? tenant, string name, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command(version is null
                ? "SELECT v.version, v.created_at, v.payload FROM skills s JOIN skill_versions v ON v.tenant = s.tenant AND v.name = s.name AND v.version = s.active_version WHERE s.tenant = @tenant AND s.name = @name;"
                : "SELECT version, created_at, payload FROM skill_versions WHERE tenant = @tenant AND name = @name AND version = @version;")
                .Text("tenant", scope).Text("name", name).Int("version", version);
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadVersion(reader, tenant) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SkillInfo?> GetInfoAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.ReadAsync(connection => FindInfoAsync(connection, null, tenant, scope, name, false, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SkillPage> ListAsync(string? tenant, SkillState? state = null, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.ReadAsync(async connection =>
        {
            using NpgsqlCommand command = connection.Command(
                $"""
                SELECT {InfoColumns} FROM skills
                WHERE tenant = @tenant AND (@state::integer IS NULL OR state = @state) AND (@cursor::text IS NULL OR name > @cursor)
                ORDER BY name LIMIT @limit;
                """)
                .Text("tenant", scope).Int("state", state is null ? null : (int)state.Value).Text("cursor", cursor).Int("limit", limit + 1);
            var items = new List<SkillInfo>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(ReadInfo(reader, tenant));
            }

            bool more = items.Count > limit;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return new SkillPage(items, more ? items[^1].Name : null);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SkillVersion>> ListVersionsAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.ReadAsync<IReadOnlyList<SkillVersion>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT version, created_at, payload FROM skill_versions WHERE tenant = @tenant AND name = @name ORDER BY version;")
                .Text("tenant", scope).Text("name", name);
            var versions = new List<SkillVersion>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(ReadVersion(reader, tenant));
            }

            return versions;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        DateTimeOffset now = _time.GetUtcNow();
        string payload = JsonSerializer.Serialize(skill, PostgreSqlJson.Options);
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            await EnsureHeadAsync(connection, transaction, scope, skill.Name, skill.Description, now, cancellationToken).ConfigureAwait(false);
            SkillInfo info = (await FindInfoAsync(connection, transaction, tenant, scope, skill.Name, true, cancellationToken).ConfigureAwait(false))!;
            // A head just created by EnsureHead has latest_version 0.
            int version = info.LatestVersion + 1;
            await InsertVersionAsync(connection, transaction, scope, skill.Name, version, now, payload, cancellationToken).ConfigureAwait(false);
            using (NpgsqlCommand head = connection.Command(
                version == 1
                    ? "UPDATE skills SET active_version = 1, latest_version = 1, updated_at = @now WHERE tenant = @tenant AND name = @name;"
                    : "UPDATE skills SET latest_version = @version, updated_at = @now WHERE tenant = @tenant AND name = @name;",
                transaction).Text("tenant", scope).Text("name", skill.Name).Int("version", version).Long("now", now.UtcTicks))
            {
                await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SkillKind, ChangeKey(scope, skill.Name), cancellationToken).ConfigureAwait(false);
            return new SkillVersion(tenant, version, skill, now);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            SkillInfo info = await FindInfoAsync(connection, transaction, tenant, scope, name, true, cancellationToken).ConfigureAwait(false) ?? throw new SkillNotFoundException(tenant, name);
            if (version < 1 || version > info.LatestVersion)
            {
                throw new SkillNotFoundException(tenant, name, version);
            }

            using (NpgsqlCommand command = connection.Command(
                """
                UPDATE skills SET active_version = @version, updated_at = @now,
                    description = (SELECT payload::jsonb ->> 'description' FROM skill_versions WHERE tenant = @tenant AND name = @name AND version = @version)
                WHERE tenant = @tenant AND name = @name;
                """,
                transaction).Text("tenant", scope).Text("name", name).Int("version", version).Long("now", _time.GetUtcNow().UtcTicks))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SkillKind, ChangeKey(scope, name), cancellationToken).ConfigureAwait(false);
            return (await FindInfoAsync(connection, transaction, tenant, scope, name, false, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            SkillInfo info = await FindInfoAsync(connection, transaction, tenant, scope, name, true, cancellationToken).ConfigureAwait(false) ?? throw new SkillNotFoundException(tenant, name);
            SkillLifecycle.Check(name, info.State, state);
            if (info.State == state)
            {
                return info;
            }

            using (NpgsqlCommand command = connection.Command("UPDATE skills SET state = @state, updated_at = @now WHERE tenant = @tenant AND name = @name;", transaction)
                .Text("tenant", scope).Text("name", name).Int("state", (int)state).Long("now", _time.GetUtcNow().UtcTicks))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SkillKind, ChangeKey(scope, name), cancellationToken).ConfigureAwait(false);
            return (await FindInfoAsync(connection, transaction, tenant, scope, name, false, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            bool deleted;
            using (NpgsqlCommand command = connection.Command(
                """
                WITH versions AS (DELETE FROM skill_versions WHERE tenant = @tenant AND name = @name),
                     gone AS (DELETE FROM skills WHERE tenant = @tenant AND name = @name RETURNING name)
                SELECT count(*) FROM gone;
                """,
                transaction).Text("tenant", scope).Text("name", name))
            {
                deleted = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
            }

            if (deleted)
            {
                await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SkillKind, ChangeKey(scope, name), cancellationToken).ConfigureAwait(false);
            }

            return deleted;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Seeds <paramref name="skill"/> from a folder: a skill new to the database, or content that no stored version has,
    /// becomes a new version, made active in the Active state; content equal to any stored version changes nothing, so
    /// what an operator chose since (another active version, a roll back, a retired skill) survives the next host start.
    /// How folder skills seed a shared database at every host start without piling up versions.
    /// </summary>
    /// <param name="tenant">The tenant scope, or null for the shared scope.</param>
    /// <param name="skill">The skill.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The skill's record after the import.</returns>
    public async ValueTask<SkillInfo> ImportAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        cancellationToken.ThrowIfCancellationRequested();
        string scope = Scope(tenant);
        DateTimeOffset now = _time.GetUtcNow();
        string payload = JsonSerializer.Serialize(skill, PostgreSqlJson.Options);
        return await _database.WriteAsync(async (connection, transaction) =>
        {
            await EnsureHeadAsync(connection, transaction, scope, skill.Name, skill.Description, now, cancellationToken).ConfigureAwait(false);
            SkillInfo info = (await FindInfoAsync(connection, transaction, tenant, scope, skill.Name, true, cancellationToken).ConfigureAwait(false))!;
            if (info.LatestVersion > 0)
            {
                using NpgsqlCommand versions = connection.Command("SELECT version, created_at, payload FROM skill_versions WHERE tenant = @tenant AND name = @name ORDER BY version DESC;", transaction)
                    .Text("tenant", scope).Text("name", skill.Name);
                using NpgsqlDataReader reader = await versions.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (ReadVersion(reader, tenant).Skill.ContentEquals(skill))
                    {
                        return info;
                    }
                }
            }

            int latest = info.LatestVersion + 1;
            await InsertVersionAsync(connection, transaction, scope, skill.Name, latest, now, payload, cancellationToken).ConfigureAwait(false);
            using (NpgsqlCommand head = connection.Command(
                """
                UPDATE skills SET state = @active, active_version = @latest, latest_version = @latest, updated_at = @now, description = @description
                WHERE tenant = @tenant AND name = @name;
                """,
                transaction).Text("tenant", scope).Text("name", skill.Name).Int("active", (int)SkillState.Active).Int("latest", latest).Long("now", now.UtcTicks).Text("description", skill.Description))
            {
                await head.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SkillKind, ChangeKey(scope, skill.Name), cancellationToken).ConfigureAwait(false);
            return (await FindInfoAsync(connection, transaction, tenant, scope, skill.Name, false, cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The change key of a skill: <c>tenant/name</c>, the tenant empty for the shared scope.</summary>
    internal static string ChangeKey(string scope, string name) => scope + "/" + name;

    // Why: a head row with no version yet (latest 0) is created under the primary key first, so two hosts saving the
    // first version of one name serialize on its row lock instead of failing on a duplicate key.
    private static async Task EnsureHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope, string name, string description, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using NpgsqlCommand command = connection.Command(
            """
            INSERT INTO skills (tenant, name, state, active_version, latest_version, description, created_at, updated_at)
            VALUES (@tenant, @name, @draft, 0, 0, @description, @now, @now) ON CONFLICT (tenant, name) DO NOTHING;
            """,
            transaction).Text("tenant", scope).Text("name", name).Int("draft", (int)SkillState.Draft).Text("description", description).Long("now", now.UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope, string name, int version, DateTimeOffset now, string payload, CancellationToken cancellationToken)
    {
        using NpgsqlCommand insert = connection.Command("INSERT INTO skill_versions (tenant, name, version, created_at, payload) VALUES (@tenant, @name, @version, @now, @payload);", transaction)
            .Text("tenant", scope).Text("name", name).Int("version", version).Long("now", now.UtcTicks).Text("payload", payload);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SkillInfo?> FindInfoAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string? tenant, string scope, string name, bool forUpdate, CancellationToken cancellationToken)
    {
        using NpgsqlCommand command = connection.Command(
            $"SELECT {InfoColumns} FROM skills WHERE tenant = @tenant AND name = @name{(forUpdate ? " FOR UPDATE" : string.Empty)};",
            transaction).Text("tenant", scope).Text("name", name);
        using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadInfo(reader, tenant) : null;
    }

    private static SkillInfo ReadInfo(NpgsqlDataReader reader, string? tenant) => new(
        tenant,
        reader.GetString(0),
        (SkillState)reader.GetInt32(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        reader.GetString(4),
        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero));

    private static SkillVersion ReadVersion(NpgsqlDataReader reader, string? tenant)
    {
        Skill skill = JsonSerializer.Deserialize<Skill>(reader.GetString(2), PostgreSqlJson.Options)
            ?? throw new PostgreSqlStoreException("A skill version row has an empty payload.");
        return new SkillVersion(tenant, reader.GetInt32(0), skill, new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
    }

    // Why: null is the shared scope; a blank tenant would silently alias it.
    private static string Scope(string? tenant) =>
        tenant is null ? string.Empty
        : string.IsNullOrWhiteSpace(tenant) ? throw new ArgumentException("A tenant must not be blank; pass null for the shared scope.", nameof(tenant))
        : tenant;
}
