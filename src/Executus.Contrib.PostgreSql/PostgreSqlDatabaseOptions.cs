namespace Executus.Contrib.PostgreSql;

/// <summary>How a <see cref="PostgreSqlDatabase"/> runs its transactions and watches for changes.</summary>
public sealed class PostgreSqlDatabaseOptions
{
    /// <summary>The lock timeout used when none is set: 5 seconds.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The change poll interval used when none is set: 30 seconds.</summary>
    public static readonly TimeSpan DefaultChangePollInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a write waits for a row lock another host holds (PostgreSQL's <c>lock_timeout</c>, set per
    /// transaction) before the attempt fails and is retried; default 5 seconds.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;

    /// <summary>
    /// Gets or sets how many times a write transaction is tried in all when it hits a serialization failure, a
    /// deadlock or the lock timeout, before it fails with <see cref="PostgreSqlStoreBusyException"/>; default 5.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// Gets or sets whether the change feed (<see cref="PostgreSqlChangeFeed"/>) keeps a connection that LISTENs for
    /// changes other hosts make (settings, skills), so they are seen at once; default true. When false, or while the
    /// listening connection is down, changes are picked up by polling every <see cref="ChangePollInterval"/>.
    /// </summary>
    public bool ListenForChanges { get; set; } = true;

    /// <summary>Gets or sets the fallback poll interval of the change feed; default 30 seconds.</summary>
    public TimeSpan ChangePollInterval { get; set; } = DefaultChangePollInterval;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public void Validate()
    {
        if (LockTimeout < TimeSpan.FromMilliseconds(1) || LockTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "The lock timeout must be between 1 ms and 10 minutes.");
        }

        if (MaxAttempts < 1 || MaxAttempts > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "The attempts must be between 1 and 100.");
        }

        if (ChangePollInterval < TimeSpan.FromMilliseconds(10) || ChangePollInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ChangePollInterval), ChangePollInterval, "The change poll interval must be between 10 ms and 1 day.");
        }
    }
}
