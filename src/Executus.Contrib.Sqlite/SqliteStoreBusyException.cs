namespace Executus.Contrib.Sqlite;

/// <summary>
/// The database stayed locked by another connection (or process) longer than the busy timeout: the operation was not
/// applied. Never a hang, never a silent loss — the caller decides whether to retry.
/// </summary>
public sealed class SqliteStoreBusyException : SqliteStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public SqliteStoreBusyException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SqliteStoreBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the SQLite error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error.</param>
    public SqliteStoreBusyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the busy timeout that elapsed.</summary>
    public TimeSpan BusyTimeout { get; init; }
}
