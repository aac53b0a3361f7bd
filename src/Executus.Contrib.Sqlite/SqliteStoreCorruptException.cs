namespace Executus.Contrib.Sqlite;

/// <summary>
/// The file is not a SQLite database or its content is damaged (SQLite's <c>SQLITE_CORRUPT</c>/<c>SQLITE_NOTADB</c>):
/// restore it from a backup or move it aside; the store never writes over it.
/// </summary>
public sealed class SqliteStoreCorruptException : SqliteStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public SqliteStoreCorruptException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SqliteStoreCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the SQLite error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SqliteStoreCorruptException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
