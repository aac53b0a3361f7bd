using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// Tells this host when another host changed shared state (a setting, a skill): one dedicated connection LISTENs on
/// the <see cref="Channel"/> channel, which the stores NOTIFY in the same transaction as the change, so a change is
/// seen as soon as it commits. Polling is the fallback: every <see cref="PostgreSqlDatabaseOptions.ChangePollInterval"/>
/// without a notification, while the listening connection is down (it reconnects), and always when
/// <see cref="PostgreSqlDatabaseOptions.ListenForChanges"/> is false, <see cref="Changed"/> reports a
/// <see cref="PostgreSqlChangeEventArgs.PollKind"/> change so caches reload.
/// </summary>
public sealed class PostgreSqlChangeFeed : IAsyncDisposable, IDisposable
{
    /// <summary>The LISTEN/NOTIFY channel the stores notify on.</summary>
    public const string Channel = "executus_changes";

    private readonly PostgreSqlDatabase _database;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private volatile bool _listening;
    private string? _schema;

    /// <summary>Initializes a new instance; it starts listening at <see cref="Start"/> (or the first subscriber's start).</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock of the fallback poll when not listening; the system clock when null.</param>
    public PostgreSqlChangeFeed(PostgreSqlDatabase database, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Occurs for every change notified in this database schema, and for every fallback poll. Handlers run on the feed's loop: keep them short.</summary>
    public event EventHandler<PostgreSqlChangeEventArgs>? Changed;

    /// <summary>Gets whether the listening connection is up (changes arrive at once); false while polling only.</summary>
    public bool IsListening => _listening;

    /// <summary>Starts the feed's loop (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Waits until the listening connection is up (or <paramref name="cancellationToken"/> fires); starts the feed if needed.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when listening.</returns>
    /// <exception cref="InvalidOperationException">The feed is set not to listen (<see cref="PostgreSqlDatabaseOptions.ListenForChanges"/> false).</exception>
    public async Task WaitUntilListeningAsync(CancellationToken cancellationToken = default)
    {
        if (!_database.Options.ListenForChanges)
        {
            throw new InvalidOperationException("The change feed polls only: PostgreSqlDatabaseOptions.ListenForChanges is false.");
        }

        Start();
        while (!_listening)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(CancellationToken stop)
    {
        TimeSpan poll = _database.Options.ChangePollInterval;
        while (!stop.IsCancellationRequested)
        {
            if (!_database.Options.ListenForChanges)
            {
                try
                {
                    await Task.Delay(poll, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Raise(PostgreSqlChangeEventArgs.PollKind, string.Empty);
                continue;
            }

            try
            {
                await ListenAsync(poll, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or PostgreSqlStoreException or InvalidOperationException or TimeoutException or IOException)
            {
                _listening = false;
                PostgreSqlLog.ListenerLost(_database.Logger, ex, _database.Target, poll);
                Raise(PostgreSqlChangeEventArgs.PollKind, string.Empty);
                try
                {
                    await Task.Delay(poll < TimeSpan.FromSeconds(1) ? poll : TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                _listening = false;
            }
        }
    }

    private async Task ListenAsync(TimeSpan poll, CancellationToken stop)
    {
        await _database.MigrateAsync(stop).ConfigureAwait(false);
        using NpgsqlConnection connection = await _database.DataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
        using (NpgsqlCommand schema = connection.Command("SELECT current_schema();"))
        {
            _schema = (string?)await schema.ExecuteScalarAsync(stop).ConfigureAwait(false);
        }

        connection.Notification += OnNotification;
        using (NpgsqlCommand listen = connection.Command("LISTEN " + Channel + ";"))
        {
            await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
        }

        _listening = true;
        // Why: whatever changed while no connection listened was missed; a poll makes caches catch up.
        Raise(PostgreSqlChangeEventArgs.PollKind, string.Empty);
        while (true)
        {
            if (!await connection.WaitAsync(poll, stop).ConfigureAwait(false))
            {
                Raise(PostgreSqlChangeEventArgs.PollKind, string.Empty);
            }
        }
    }

    private void OnNotification(object? sender, NpgsqlNotificationEventArgs e)
    {
        string[] parts = e.Payload.Split('|', 3);
        if (parts.Length == 3 && string.Equals(parts[0], _schema, StringComparison.Ordinal))
        {
            Raise(parts[1], parts[2]);
        }
    }

    private void Raise(string kind, string key)
    {
        PostgreSqlTelemetry.Changes.Add(1, new("kind", kind), new("db", _database.Target));
        EventHandler<PostgreSqlChangeEventArgs>? handler = Changed;
        if (handler is null)
        {
            return;
        }

        var args = new PostgreSqlChangeEventArgs(kind, key);
        foreach (EventHandler<PostgreSqlChangeEventArgs> one in handler.GetInvocationList().Cast<EventHandler<PostgreSqlChangeEventArgs>>())
        {
            try
            {
                one(this, args);
            }
#pragma warning disable CA1031 // Why: one failing subscriber must not stop the feed for the others; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                PostgreSqlLog.HandlerFailed(_database.Logger, ex, _database.Target);
            }
        }
    }
}
