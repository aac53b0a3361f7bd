using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Contrib.Sqlite;

/// <summary>
/// One SQLite database file shared by the SQLite stores: it normalizes the connection string, applies the versioned
/// schema migrations once (at the first use), and opens pooled connections set up the same way every time.
/// </summary>
/// <remarks>
/// <para>Every connection runs in WAL mode (readers never block the writer, the writer never blocks readers) with a
/// <c>busy_timeout</c> and <c>synchronous=NORMAL</c>. Why NORMAL: in WAL mode a commit is then durable against a crash
/// of the process (the WAL is written before the commit returns; only the fsync is deferred to checkpoints), and only
/// an operating-system crash or power loss can roll back the last transactions — never corrupt the file. FULL would
/// fsync every commit, several times slower for a durable step, for a guarantee the killed-process case does not need.</para>
/// <para>Every write is one <c>BEGIN IMMEDIATE</c> transaction: it takes the write lock before reading, so a
/// read-then-write step (a budget reservation) can never be interleaved by another connection or process, and a busy
/// database waits up to the busy timeout and then fails with <see cref="SqliteStoreBusyException"/>.</para>
/// </remarks>
public sealed class SqliteDatabase
{
    private readonly Lock _migrateGate = new();
    private readonly ILogger _logger;
    private volatile bool _migrated;

    /// <summary>Initializes a new instance over <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, for example <c>Data Source=executus.db</c>.</param>
    /// <param name="options">Connection settings; defaults when null.</param>
    /// <param name="logger">Logs migrations applied, busy timeouts and corruption; none when null.</param>
    /// <exception cref="ArgumentException">The connection string is blank or not a SQLite connection string.</exception>
    public SqliteDatabase(string connectionString, SqliteDatabaseOptions? options = null, ILogger<SqliteDatabase>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        options ??= new SqliteDatabaseOptions();
        options.Validate();
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"'{connectionString}' is not a SQLite connection string: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new ArgumentException($"The SQLite connection string '{connectionString}' names no Data Source.", nameof(connectionString));
        }

        BusyTimeout = options.BusyTimeout;
        builder.Pooling = true;
        // Why: Microsoft.Data.Sqlite retries a busy statement itself until the command timeout (whole seconds; 0 would
        // mean forever), on top of SQLite's busy_timeout; both are bounded so a lock held forever ends in a typed error.
        builder.DefaultTimeout = (int)Math.Max(1, Math.Ceiling(BusyTimeout.TotalSeconds));
        ConnectionString = builder.ToString();
        DataSource = builder.DataSource;
        _initSql = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;");
    }

    private readonly string _initSql;

    /// <summary>Gets the newest schema version this code migrates to.</summary>
    public static int SchemaVersion => SqliteSchema.LatestVersion;

    /// <summary>Gets the normalized connection string (pooled).</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the database file.</summary>
    public string DataSource { get; }

    /// <summary>Gets how long a statement waits for another connection's lock.</summary>
    public TimeSpan BusyTimeout { get; }

    /// <summary>
    /// Applies every migration the file lacks, in one <c>BEGIN IMMEDIATE</c> transaction (idempotent: a second call, or
    /// another process that migrated first, changes nothing). Stores call it on first use; a host may call it at start.
    /// </summary>
    /// <param name="cancellationToken">Cancels before the migration starts.</param>
    /// <returns>A task.</returns>
    /// <exception cref="SqliteSchemaVersionException">The file was migrated by newer code.</exception>
    /// <exception cref="SqliteStoreBusyException">Another connection held the write lock past the busy timeout.</exception>
    /// <exception cref="SqliteStoreCorruptException">The file is not a SQLite database or is damaged.</exception>
    public ValueTask MigrateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureMigrated();
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the schema version stored in the file (0 for a new file).</summary>
    /// <param name="cancellationToken">Cancels before the read.</param>
    /// <returns>The version.</returns>
    public ValueTask<int> GetStoredSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guard(() =>
        {
            using SqliteConnection connection = OpenRaw();
            return ReadUserVersion(connection, null);
        }));
    }

    /// <summary>Runs <c>PRAGMA integrity_check</c>.</summary>
    /// <param name="cancellationToken">Cancels before the check.</param>
    /// <returns><c>ok</c> for a sound file, otherwise the problems SQLite found, one per line.</returns>
    public ValueTask<string> CheckIntegrityAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Guard(() =>
        {
            using SqliteConnection connection = OpenRaw();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            using SqliteDataReader reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
            {
                lines.Add(reader.GetString(0));
            }

            return string.Join('\n', lines);
        }));
    }

    /// <summary>Closes this database's idle pooled connections (for example before the file is moved or deleted).</summary>
    public void ClearPool()
    {
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>Runs a read on a migrated, set-up connection; SQLite errors become typed store errors.</summary>
    internal T Read<T>(Func<SqliteConnection, T> body)
    {
        EnsureMigrated();
        return Guard(() =>
        {
            using SqliteConnection connection = OpenRaw();
            return body(connection);
        });
    }

    /// <summary>Runs a write in one <c>BEGIN IMMEDIATE</c> transaction, committed when the body returns.</summary>
    internal T Write<T>(Func<SqliteConnection, SqliteTransaction, T> body)
    {
        EnsureMigrated();
        return Guard(() =>
        {
            using SqliteConnection connection = OpenRaw();
            using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
            T result = body(connection, transaction);
            transaction.Commit();
            return result;
        });
    }

    /// <summary>
    /// Maps a SQLite error to the store's typed errors (busy, corrupt) or a general <see cref="SqliteStoreException"/>;
    /// busy and corrupt errors are counted on the <see cref="ExecutusTelemetry.SqliteMeterName"/> meter and logged.
    /// </summary>
    internal SqliteStoreException Translate(SqliteException error)
    {
        int primary = error.SqliteErrorCode & 0xFF;
        if (primary is 5 or 6)
        {
            SqliteTelemetry.Errors.Add(1, new("kind", "busy"), new("db", DataSource));
            SqliteLog.BusyTimeout(_logger, DataSource, BusyTimeout.TotalMilliseconds);
        }
        else if (primary is 11 or 26)
        {
            SqliteTelemetry.Errors.Add(1, new("kind", "corrupt"), new("db", DataSource));
            SqliteLog.Corrupt(_logger, DataSource, error.SqliteErrorCode);
        }

        return primary switch
        {
            5 or 6 => new SqliteStoreBusyException(
                $"The SQLite database '{DataSource}' stayed locked by another connection for longer than the busy timeout ({BusyTimeout.TotalMilliseconds:0} ms); nothing was written.",
                error)
            { DataSource = DataSource, BusyTimeout = BusyTimeout },
            11 or 26 => new SqliteStoreCorruptException(
                $"The SQLite database '{DataSource}' is corrupt or not a database ({error.Message}); restore it or move it aside.",
                error)
            { DataSource = DataSource },
            _ => new SqliteStoreException($"The SQLite database '{DataSource}' failed: {error.Message}", error) { DataSource = DataSource },
        };
    }

    private T Guard<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = _initSql;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void EnsureMigrated()
    {
        if (_migrated)
        {
            return;
        }

        lock (_migrateGate)
        {
            if (_migrated)
            {
                return;
            }

            Guard(() =>
            {
                using SqliteConnection connection = OpenRaw();
                using (SqliteCommand wal = connection.CreateCommand())
                {
                    // Why: journal_mode cannot change inside a transaction; it is stored in the file, so this runs once per file.
                    wal.CommandText = "PRAGMA journal_mode = WAL;";
                    wal.ExecuteScalar();
                }

                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                int stored = ReadUserVersion(connection, transaction);
                if (stored > SqliteSchema.LatestVersion)
                {
                    throw new SqliteSchemaVersionException(DataSource, stored, SqliteSchema.LatestVersion);
                }

                for (int version = stored + 1; version <= SqliteSchema.LatestVersion; version++)
                {
                    using SqliteCommand migrate = connection.CreateCommand();
                    migrate.CommandText = SqliteSchema.Migrations[version - 1];
                    migrate.ExecuteNonQuery();
                }

                if (stored != SqliteSchema.LatestVersion)
                {
                    using SqliteCommand setVersion = connection.CreateCommand();
                    setVersion.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {SqliteSchema.LatestVersion};");
                    setVersion.ExecuteNonQuery();
                }

                transaction.Commit();
                if (stored != SqliteSchema.LatestVersion)
                {
                    SqliteTelemetry.MigrationsApplied.Add(SqliteSchema.LatestVersion - stored, new KeyValuePair<string, object?>("db", DataSource));
                    SqliteLog.MigrationsApplied(_logger, stored + 1, SqliteSchema.LatestVersion, DataSource);
                }

                return 0;
            });
            _migrated = true;
        }
    }

    private static int ReadUserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
