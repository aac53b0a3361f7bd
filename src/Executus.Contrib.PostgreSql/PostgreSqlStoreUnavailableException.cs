namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The PostgreSQL server could not be reached or refused the connection (down, wrong host or port, shutting down, out
/// of connections): nothing was read or written. <see cref="PostgreSqlStoreException.Target"/> names the server.
/// </summary>
public sealed class PostgreSqlStoreUnavailableException : PostgreSqlStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public PostgreSqlStoreUnavailableException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PostgreSqlStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the Npgsql error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgreSqlStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
