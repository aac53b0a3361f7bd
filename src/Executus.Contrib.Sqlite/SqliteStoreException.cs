namespace Executus.Contrib.Sqlite;

/// <summary>A SQLite store could not do what it was asked: the database file failed in a way a host should see.</summary>
public class SqliteStoreException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SqliteStoreException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SqliteStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the SQLite error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SqliteStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the database file (the connection string's data source), when known.</summary>
    public string? DataSource { get; init; }
}
