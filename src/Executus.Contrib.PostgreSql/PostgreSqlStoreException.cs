namespace Executus.Contrib.PostgreSql;

/// <summary>A PostgreSQL store could not do what it was asked: the server or the database failed in a way a host should see.</summary>
public class PostgreSqlStoreException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PostgreSqlStoreException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PostgreSqlStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the Npgsql error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgreSqlStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the server and database the store talks to (<c>host:port/database</c>, never a password), when known.</summary>
    public string? Target { get; init; }

    /// <summary>Gets the PostgreSQL error code (SQLSTATE) of the failure, when the server sent one.</summary>
    public string? SqlState { get; init; }
}
