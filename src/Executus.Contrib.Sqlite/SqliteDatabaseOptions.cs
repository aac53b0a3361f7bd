namespace Executus.Contrib.Sqlite;

/// <summary>How a <see cref="SqliteDatabase"/> opens its connections.</summary>
public sealed class SqliteDatabaseOptions
{
    /// <summary>The busy timeout used when none is set: 5 seconds.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long a statement waits for another connection's write lock before it fails with
    /// <see cref="SqliteStoreBusyException"/> (SQLite's <c>busy_timeout</c>); default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The busy timeout is not between 1 ms and 10 minutes.</exception>
    public void Validate()
    {
        if (BusyTimeout < TimeSpan.FromMilliseconds(1) || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(BusyTimeout), BusyTimeout, "The busy timeout must be between 1 ms and 10 minutes.");
        }
    }
}
