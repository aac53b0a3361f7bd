using System.Diagnostics.CodeAnalysis;
using Executus.Configuration;
using Npgsql;

namespace Executus.Contrib.PostgreSql;

/// <summary>
/// An <see cref="IConfigSource"/> over a <c>settings</c> table (keys case-insensitive like every config source) shared
/// by every host. Without a change feed each <see cref="TryGet"/> reads the table. With a
/// <see cref="PostgreSqlChangeFeed"/> it reads from a snapshot of the table that is reloaded when any host changes a
/// setting (LISTEN/NOTIFY: at once) and at every fallback poll; <see cref="SetAsync"/> updates this host's snapshot at
/// once. Put it first in a <see cref="CompositeConfigSource"/> to override environment settings at run time.
/// </summary>
public sealed class PostgreSqlConfigSource : IConfigSource, IDisposable
{
    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlChangeFeed? _changes;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Dictionary<string, string>? _snapshot;
    private long _localWrites;
    private int _reloading;
    private int _reloadAgain;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="database">The database.</param>
    /// <param name="changes">The change feed that keeps a snapshot fresh; null to read the table at every call.</param>
    /// <param name="timeProvider">The clock that stamps changes; the system clock when null.</param>
    public PostgreSqlConfigSource(PostgreSqlDatabase database, PostgreSqlChangeFeed? changes = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _changes = changes;
        _time = timeProvider ?? TimeProvider.System;
        if (changes is not null)
        {
            changes.Changed += OnChanged;
            changes.Start();
        }
    }

    /// <inheritdoc />
    public bool TryGet(string key, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (_changes is null)
        {
            value = _database.Read(connection =>
            {
                using NpgsqlCommand command = connection.Command("SELECT value FROM settings WHERE key_norm = @key;").Text("key", Normalize(key));
                return command.ExecuteScalar() as string;
            });
            return value is not null;
        }

        Dictionary<string, string>? snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null)
        {
            long writes = Interlocked.Read(ref _localWrites);
            Dictionary<string, string> loaded = _database.Read(LoadAll);
            lock (_gate)
            {
                if (_snapshot is null && Interlocked.Read(ref _localWrites) == writes)
                {
                    _snapshot = loaded;
                }

                snapshot = _snapshot ?? loaded;
            }
        }

        return snapshot.TryGetValue(key, out value);
    }

    /// <summary>Sets a setting (or removes it when <paramref name="value"/> is null) and notifies every host; this source sees it at once.</summary>
    /// <param name="key">The key, for example <c>Executus:Runs:DefaultTimeout</c>.</param>
    /// <param name="value">The value, or null to remove the setting.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async ValueTask SetAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        cancellationToken.ThrowIfCancellationRequested();
        long now = _time.GetUtcNow().UtcTicks;
        await _database.WriteAsync(async (connection, transaction) =>
        {
            using (NpgsqlCommand command = connection.Command(
                value is null
                    ? "DELETE FROM settings WHERE key_norm = @norm;"
                    : "INSERT INTO settings (key_norm, key, value, updated_at) VALUES (@norm, @key, @value, @now) ON CONFLICT (key_norm) DO UPDATE SET key = excluded.key, value = excluded.value, updated_at = excluded.updated_at;",
                transaction).Text("norm", Normalize(key)).Text("key", key).Text("value", value).Long("now", now))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.NotifyAsync(connection, transaction, PostgreSqlChangeEventArgs.SettingKind, key, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

        lock (_gate)
        {
            Interlocked.Increment(ref _localWrites);
            if (_snapshot is not null)
            {
                var next = new Dictionary<string, string>(_snapshot, StringComparer.OrdinalIgnoreCase);
                if (value is null)
                {
                    next.Remove(key);
                }
                else
                {
                    next.Remove(key);
                    next[key] = value;
                }

                _snapshot = next;
            }
        }
    }

    /// <summary>Lists every setting, ordered by key (always read from the table).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The settings.</returns>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, string>>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await _database.ReadAsync<IReadOnlyList<KeyValuePair<string, string>>>(async connection =>
        {
            using NpgsqlCommand command = connection.Command("SELECT key, value FROM settings ORDER BY key_norm;");
            var list = new List<KeyValuePair<string, string>>();
            using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new(reader.GetString(0), reader.GetString(1)));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_changes is not null)
        {
            _changes.Changed -= OnChanged;
        }
    }

    private static string Normalize(string key) => key.ToUpperInvariant();

    private static Dictionary<string, string> LoadAll(NpgsqlConnection connection)
    {
        using NpgsqlCommand command = connection.Command("SELECT key, value FROM settings;");
        using NpgsqlDataReader reader = command.ExecuteReader();
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read())
        {
            all[reader.GetString(0)] = reader.GetString(1);
        }

        return all;
    }

    private void OnChanged(object? sender, PostgreSqlChangeEventArgs e)
    {
        if (e.Kind is not (PostgreSqlChangeEventArgs.SettingKind or PostgreSqlChangeEventArgs.PollKind))
        {
            return;
        }

        Interlocked.Exchange(ref _reloadAgain, 1);
        if (Interlocked.CompareExchange(ref _reloading, 1, 0) == 0)
        {
            _ = Task.Run(ReloadAsync);
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _reloadAgain, 0) == 1)
            {
                long writes = Interlocked.Read(ref _localWrites);
                Dictionary<string, string> loaded = await _database.ReadAsync(connection => Task.FromResult(LoadAll(connection)), CancellationToken.None).ConfigureAwait(false);
                lock (_gate)
                {
                    // Why: a local SetAsync that committed after the read started would be undone by this older snapshot.
                    if (Interlocked.Read(ref _localWrites) == writes)
                    {
                        _snapshot = loaded;
                    }
                    else
                    {
                        Interlocked.Exchange(ref _reloadAgain, 1);
                    }
                }
            }
        }
        catch (PostgreSqlStoreException ex)
        {
            // Why: the snapshot stays as it was; the next notification or poll tries again.
            PostgreSqlLog.HandlerFailed(_database.Logger, ex, _database.Target);
        }
        finally
        {
            Interlocked.Exchange(ref _reloading, 0);
            if (Volatile.Read(ref _reloadAgain) == 1 && Interlocked.CompareExchange(ref _reloading, 1, 0) == 0)
            {
                _ = Task.Run(ReloadAsync);
            }
        }
    }
}
