using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// One PostgreSQL database (and schema: the connection's <c>search_path</c>) shared by the PostgreSQL stores of one or
/// many hosts: it owns or borrows an <see cref="NpgsqlDataSource"/>, applies the versioned schema migrations once (at
/// the first use, under an advisory lock so hosts starting together migrate once), and runs every write as one
/// transaction that is retried on a serialization failure, a deadlock or the lock timeout.
/// </summary>
/// <remarks>
/// <para>Writes run at READ COMMITTED with explicit row locks (<c>SELECT … FOR UPDATE</c>) where a step reads before it
/// writes (a budget reservation, a lease), so N hosts serialize on the rows they share and nowhere else. Each write
/// transaction sets <c>lock_timeout</c>; an attempt that waits past it, deadlocks or fails to serialize is rolled back
/// and tried again (<see cref="PostgreSqlDatabaseOptions.MaxAttempts"/>), then fails with
/// <see cref="PostgreSqlStoreBusyException"/>. A server that cannot be reached fails with
/// <see cref="PostgreSqlStoreUnavailableException"/> naming it.</para>
/// <para>Tables are created unqualified, in the first schema of the connection's <c>search_path</c>: set
/// <c>Search Path=myschema</c> in the connection string to keep several Executus installations in one database.</para>
/// </remarks>
public sealed class PostgreSqlDatabase : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _migrateGate = new(1, 1);
    private readonly ILogger _logger;
    private readonly bool _ownsDataSource;
    private readonly string _lockTimeoutSql;
    private volatile bool _migrated;

    /// <summary>Initializes a new instance over a connection string; the database owns (and disposes) its data source.</summary>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=executus;Username=app;Password=…</c>.</param>
    /// <param name="options">Transaction and change-feed settings; defaults when null.</param>
    /// <param name="logger">Logs migrations applied, busy failures, an unreachable server; none when null.</param>
    /// <exception cref="ArgumentException">The connection string is blank or not an Npgsql connection string.</exception>
    public PostgreSqlDatabase(string connectionString, PostgreSqlDatabaseOptions? options = null, ILogger<PostgreSqlDatabase>? logger = null)
        : this(CreateDataSource(connectionString), ownsDataSource: true, options, logger)
    {
    }

    /// <summary>Initializes a new instance over a data source the caller owns (and disposes).</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">Transaction and change-feed settings; defaults when null.</param>
    /// <param name="logger">Logs migrations applied, busy failures, an unreachable server; none when null.</param>
    public PostgreSqlDatabase(NpgsqlDataSource dataSource, PostgreSqlDatabaseOptions? options = null, ILogger<PostgreSqlDatabase>? logger = null)
        : this(dataSource, ownsDataSource: false, options, logger)
    {
    }

    private PostgreSqlDatabase(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlDatabaseOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgreSqlDatabaseOptions();
        options.Validate();
        Options = options;
        DataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _logger = logger ?? NullLogger.Instance;
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Target = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}");
        _lockTimeoutSql = string.Create(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = {(long)Math.Ceiling(options.LockTimeout.TotalMilliseconds)};");
    }

    /// <summary>Gets the newest schema version this code migrates to.</summary>
    public static int SchemaVersion => PostgreSqlSchema.LatestVersion;

    /// <summary>Gets the data source connections come from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Gets the server and database as <c>host:port/database</c> (never a password): what error messages name.</summary>
    public string Target { get; }

    /// <summary>Gets the settings.</summary>
    public PostgreSqlDatabaseOptions Options { get; }

    internal ILogger Logger => _logger;

    /// <summary>
    /// Applies every migration the database lacks, in one transaction under an advisory lock (idempotent: a second
    /// call, or another host that migrated first, changes nothing). Stores call it on first use; a host may call it at start.
    /// </summary>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>A task.</returns>
    /// <exception cref="PostgreSqlSchemaVersionException">The database was migrated by newer code.</exception>
    /// <exception cref="PostgreSqlStoreUnavailableException">The server could not be reached.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => EnsureMigratedAsync(cancellationToken);

    /// <summary>Gets the schema version stored in the database (0 for a new one).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version.</returns>
    public async Task<int> GetStoredSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        return await GuardAsync(async () =>
        {
            using NpgsqlConnection connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }

        _migrateGate.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }

        _migrateGate.Dispose();
    }

    /// <summary>Runs a read on a migrated database; Npgsql errors become typed store errors.</summary>
    internal async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await GuardAsync(async () =>
        {
            using NpgsqlConnection connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a write as one transaction (with <c>lock_timeout</c>), committed when the body returns; tried again from the
    /// start on a serialization failure, a deadlock or the lock timeout, up to <see cref="PostgreSqlDatabaseOptions.MaxAttempts"/>.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> body, CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using NpgsqlConnection connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                using (NpgsqlCommand set = connection.Command(_lockTimeoutSql, transaction))
                {
                    await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                T result = await body(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException ex) when (IsBusy(ex.SqlState))
            {
                if (attempt >= Options.MaxAttempts)
                {
                    throw Translate(ex, attempt);
                }

                PostgreSqlTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("db", Target));
                // Why: a short randomized back-off so colliding hosts do not collide again in lock step.
                int delay = Math.Min(200, 5 << Math.Min(attempt, 5));
                await Task.Delay(TimeSpan.FromMilliseconds(delay / 2 + Random.Shared.Next(delay)), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Translate(ex, attempt);
            }
        }
    }

    /// <summary>Queues a change notification (<c>pg_notify</c>) in the transaction: delivered to listeners when it commits.</summary>
    internal static async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind, string key, CancellationToken cancellationToken)
    {
        // Why: the channel is per database, so the payload names the schema; a feed ignores other schemas' changes.
        using NpgsqlCommand notify = connection.Command("SELECT pg_notify(@channel, current_schema() || '|' || @kind || '|' || @key);", transaction)
            .Text("channel", PostgreSqlChangeFeed.Channel).Text("kind", kind).Text("key", key);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a synchronous read (for <see cref="Executus.Configuration.IConfigSource.TryGet"/>) on a migrated database.</summary>
    internal T Read<T>(Func<NpgsqlConnection, T> body)
    {
        if (!_migrated)
        {
            // Why: TryGet is synchronous; the migration runs once, on the thread pool, not on a captured context.
            Task.Run(() => EnsureMigratedAsync(CancellationToken.None)).GetAwaiter().GetResult();
        }

        try
        {
            using NpgsqlConnection connection = DataSource.OpenConnection();
            return body(connection);
        }
        catch (NpgsqlException ex)
        {
            throw Translate(ex);
        }
    }

    /// <summary>Maps an Npgsql error to the store's typed errors; busy and unreachable ones are counted and logged.</summary>
    internal PostgreSqlStoreException Translate(NpgsqlException error, int attempts = 1)
    {
        string? state = (error as PostgresException)?.SqlState;
        if (IsBusy(state))
        {
            PostgreSqlTelemetry.Errors.Add(1, new("kind", "busy"), new("db", Target));
            PostgreSqlLog.Busy(_logger, Target, state, attempts);
            return new PostgreSqlStoreBusyException(
                $"The PostgreSQL database '{Target}' stayed busy ({Describe(state)}) after {attempts} attempt(s); the transaction was rolled back and nothing was written.",
                error)
            { Target = Target, SqlState = state, Attempts = attempts };
        }

        if (IsUnavailable(error, state))
        {
            PostgreSqlTelemetry.Errors.Add(1, new("kind", "unavailable"), new("db", Target));
            PostgreSqlLog.Unavailable(_logger, error, Target);
            return new PostgreSqlStoreUnavailableException(
                $"The PostgreSQL server for '{Target}' could not be reached or refused the connection: {error.Message}",
                error)
            { Target = Target, SqlState = state };
        }

        return new PostgreSqlStoreException($"The PostgreSQL database '{Target}' failed: {error.Message}", error) { Target = Target, SqlState = state };
    }

    private async Task<T> GuardAsync<T>(Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException { SqlState: "57014" })
        {
            throw Translate(ex);
        }
    }

    private static bool IsBusy(string? state) => state is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable;

    private static bool IsUnavailable(NpgsqlException error, string? state) =>
        error is not PostgresException
        || (state is not null && (state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300"));

    private static string Describe(string? state) => state switch
    {
        PostgresErrorCodes.SerializationFailure => "serialization failure",
        PostgresErrorCodes.DeadlockDetected => "deadlock",
        PostgresErrorCodes.LockNotAvailable => "a row lock held past the lock timeout",
        _ => state ?? "unknown",
    };

    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            throw new ArgumentException($"The connection string is not an Npgsql connection string: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no Host.", nameof(connectionString));
        }

        return NpgsqlDataSource.Create(builder);
    }

    private async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migrateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            (int stored, int applied) = await GuardAsync(async () =>
            {
                using NpgsqlConnection connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                using (NpgsqlCommand setup = connection.Command(
                    """
                    SELECT pg_advisory_xact_lock(hashtext('executus.migrate.' || current_schema()));
                    CREATE TABLE IF NOT EXISTS executus_schema_version (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
                    """,
                    transaction))
                {
                    await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                int stored = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (stored > PostgreSqlSchema.LatestVersion)
                {
                    throw new PostgreSqlSchemaVersionException(Target, stored, PostgreSqlSchema.LatestVersion);
                }

                for (int version = stored + 1; version <= PostgreSqlSchema.LatestVersion; version++)
                {
                    using NpgsqlCommand migrate = connection.Command(PostgreSqlSchema.Migrations[version - 1], transaction);
                    await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (stored != PostgreSqlSchema.LatestVersion)
                {
                    using NpgsqlCommand setVersion = connection.Command(
                        "INSERT INTO executus_schema_version (id, version) VALUES (1, @version) ON CONFLICT (id) DO UPDATE SET version = excluded.version;",
                        transaction).Int("version", PostgreSqlSchema.LatestVersion);
                    await setVersion.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (stored, PostgreSqlSchema.LatestVersion - stored);
            }).ConfigureAwait(false);
            if (applied > 0)
            {
                PostgreSqlTelemetry.MigrationsApplied.Add(applied, new KeyValuePair<string, object?>("db", Target));
                PostgreSqlLog.MigrationsApplied(_logger, stored + 1, PostgreSqlSchema.LatestVersion, Target);
            }

            _migrated = true;
        }
        finally
        {
            _migrateGate.Release();
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        using (NpgsqlCommand exists = connection.Command("SELECT to_regclass('executus_schema_version') IS NOT NULL;", transaction))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        using NpgsqlCommand read = connection.Command("SELECT COALESCE(MAX(version), 0) FROM executus_schema_version;", transaction);
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
