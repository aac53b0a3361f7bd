using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Executus.Contrib.Sqlite.Tests;

public sealed class SqliteTelemetryTests
{
    [Fact]
    public async Task Migrations_busy_timeouts_and_corruption_are_counted_and_logged()
    {
        using var db = new TestDatabase();
        using var metrics = new Measurements(db.FilePath);
        var log = new CapturingLogger();
        var database = new SqliteDatabase(db.ConnectionString, new SqliteDatabaseOptions { BusyTimeout = TimeSpan.FromMilliseconds(50) }, log);

        await database.MigrateAsync();
        await database.MigrateAsync();
        Assert.Equal(SqliteDatabase.SchemaVersion, metrics.Sum("executus.sqlite.migrations.applied", kind: null));
        Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains($"migrations 1..{SqliteDatabase.SchemaVersion}", StringComparison.Ordinal));

        var store = new SqliteKeyValueStore(database);
        using (var holder = new SqliteConnection(db.ConnectionString))
        {
            holder.Open();
            using SqliteTransaction held = holder.BeginTransaction(deferred: false);
            await Assert.ThrowsAsync<SqliteStoreBusyException>(async () => await store.SetAsync("s", "k", "v"));
            held.Rollback();
        }

        Assert.Equal(1, metrics.Sum("executus.sqlite.errors", "busy"));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("busy timeout (50 ms)", StringComparison.Ordinal));

        SqliteConnection.ClearAllPools();
        await File.WriteAllBytesAsync(db.FilePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);
        await Assert.ThrowsAsync<SqliteStoreCorruptException>(async () => await new SqliteDatabase(db.ConnectionString, logger: log).MigrateAsync());
        Assert.Equal(1, metrics.Sum("executus.sqlite.errors", "corrupt"));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("corrupt", StringComparison.Ordinal));
        Assert.Contains(ExecutusTelemetry.SqliteMeterName, ExecutusTelemetry.MeterNames);
    }

    /// <summary>Listens on the SQLite meter and keeps only this test's file (the counters are process-wide).</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, string? Kind, long Value)> _seen = new();

        public Measurements(string dataSource)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ExecutusTelemetry.SqliteMeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                string? db = null;
                string? kind = null;
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "db")
                    {
                        db = tag.Value as string;
                    }
                    else if (tag.Key == "kind")
                    {
                        kind = tag.Value as string;
                    }
                }

                if (db == dataSource)
                {
                    _seen.Enqueue((instrument.Name, kind, value));
                }
            });
            _listener.Start();
        }

        public long Sum(string name, string? kind) => _seen.Where(m => m.Name == name && m.Kind == kind).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }

    private sealed class CapturingLogger : ILogger<SqliteDatabase>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
