namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The database was migrated by a newer Executus.Contrib.PostgreSql than this one: its schema version is higher than
/// this code knows, so the stores refuse to touch it rather than misread or damage it (migrations only go forward).
/// </summary>
public sealed class PostgreSqlSchemaVersionException : PostgreSqlStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public PostgreSqlSchemaVersionException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PostgreSqlSchemaVersionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgreSqlSchemaVersionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a database at <paramref name="databaseVersion"/>.</summary>
    /// <param name="target">The server and database.</param>
    /// <param name="databaseVersion">The schema version found in the database.</param>
    /// <param name="codeVersion">The newest schema version this code knows.</param>
    public PostgreSqlSchemaVersionException(string? target, int databaseVersion, int codeVersion)
        : base($"The PostgreSQL database '{target}' has Executus schema version {databaseVersion}, newer than this Executus.Contrib.PostgreSql knows ({codeVersion}); upgrade the package or use another database or schema.")
    {
        Target = target;
        DatabaseVersion = databaseVersion;
        CodeVersion = codeVersion;
    }

    /// <summary>Gets the schema version found in the database.</summary>
    public int DatabaseVersion { get; }

    /// <summary>Gets the newest schema version this code knows.</summary>
    public int CodeVersion { get; }
}
