namespace Executus.Contrib.Sqlite;

/// <summary>
/// The database was migrated by a newer Executus.Contrib.Sqlite than this one: its schema version is higher than this
/// code knows, so the store refuses to touch it rather than misread or damage it.
/// </summary>
public sealed class SqliteSchemaVersionException : SqliteStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public SqliteSchemaVersionException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SqliteSchemaVersionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SqliteSchemaVersionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a database at <paramref name="databaseVersion"/>.</summary>
    /// <param name="dataSource">The database file.</param>
    /// <param name="databaseVersion">The schema version found in the file.</param>
    /// <param name="codeVersion">The newest schema version this code knows.</param>
    public SqliteSchemaVersionException(string? dataSource, int databaseVersion, int codeVersion)
        : base($"The SQLite database '{dataSource}' has schema version {databaseVersion}, newer than this Executus.Contrib.Sqlite knows ({codeVersion}); upgrade the package or use another file.")
    {
        DataSource = dataSource;
        DatabaseVersion = databaseVersion;
        CodeVersion = codeVersion;
    }

    /// <summary>Gets the schema version found in the file.</summary>
    public int DatabaseVersion { get; }

    /// <summary>Gets the newest schema version this code knows.</summary>
    public int CodeVersion { get; }
}
