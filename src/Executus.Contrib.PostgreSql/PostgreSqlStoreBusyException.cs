namespace Executus.Contrib.PostgreSql;

/// <summary>
/// The operation kept colliding with other hosts (serialization failure, deadlock or a row lock held past the lock
/// timeout) after every retry: it was rolled back and nothing was written. Never a hang, never a silent loss — the
/// caller decides whether to retry.
/// </summary>
public sealed class PostgreSqlStoreBusyException : PostgreSqlStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public PostgreSqlStoreBusyException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PostgreSqlStoreBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the Npgsql error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public PostgreSqlStoreBusyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets how many times the operation was tried.</summary>
    public int Attempts { get; init; }
}
