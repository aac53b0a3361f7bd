using Executus.Auditing;
using Executus.Batteries.Audit;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Batteries.Audit.Tests;

public class AuditWriterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static AuditEvent Event(int i, AuditEventKind kind = AuditEventKind.ModelCall) =>
        new(kind, T0.AddSeconds(i)) { RunId = "run-1", AgentName = "writer", Data = new Dictionary<string, string> { ["i"] = i.ToString() } };

    private static async Task<List<AuditRecord>> AllAsync(IAuditStore store)
    {
        var all = new List<AuditRecord>();
        string? cursor = null;
        do
        {
            AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 1000, Cursor = cursor });
            all.AddRange(page.Records);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Writes_events_in_batches_with_observed_and_written_times_apart()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(5));
        var store = new InMemoryAuditStore(AuditRetention.Unbounded, time);
        await using var writer = new AuditWriter(store, new AuditWriterOptions { BatchSize = 7 }, timeProvider: time);

        for (int i = 0; i < 50; i++)
        {
            await writer.RecordAsync(Event(i));
        }

        await writer.FlushAsync();

        List<AuditRecord> all = await AllAsync(store);
        Assert.Equal(50, all.Count);
        Assert.Equal(T0.AddSeconds(49), all[0].ObservedAt);
        Assert.All(all, r => Assert.Equal(T0.AddMinutes(5), r.WrittenAt));
        AuditWriterStatistics stats = writer.Statistics;
        Assert.Equal(50, stats.Received);
        Assert.Equal(50, stats.Written);
        Assert.Equal(0, stats.Queued);
        Assert.Equal(0, stats.Dropped);
    }

    [Fact]
    public async Task A_slow_store_does_not_hold_up_the_recorder_and_flush_waits_for_it()
    {
        var store = new GatedAuditStore();
        await using var writer = new AuditWriter(store, new AuditWriterOptions { Capacity = 100, BatchSize = 10 });

        for (int i = 0; i < 60; i++)
        {
            ValueTask pending = writer.RecordAsync(Event(i));
            Assert.True(pending.IsCompletedSuccessfully, $"event {i} waited for the store");
        }

        await store.Entered.Task;
        Task flush = writer.FlushAsync();
        Assert.False(flush.IsCompleted);
        Assert.True(writer.Statistics.Queued > 0);

        store.Open();
        await flush;

        Assert.Equal(60, (await AllAsync(store)).Count);
        Assert.Equal(60, writer.Statistics.Written);
    }

    [Fact]
    public async Task A_full_queue_blocks_up_to_the_bound_then_drops_and_counts()
    {
        var time = new FakeTimeProvider(T0);
        var store = new GatedAuditStore();
        await using var writer = new AuditWriter(store, new AuditWriterOptions { Capacity = 1, BatchSize = 1, FullWait = TimeSpan.FromMilliseconds(100) }, timeProvider: time);

        await writer.RecordAsync(Event(1));
        await store.Entered.Task; // the loop holds event 1 in the blocked store
        await writer.RecordAsync(Event(2)); // fills the queue

        ValueTask third = writer.RecordAsync(Event(3));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await third; // never throws

        AuditWriterStatistics stats = writer.Statistics;
        Assert.Equal(1, stats.DroppedQueueFull);
        Assert.Equal(3, stats.Received);

        store.Open();
        await writer.FlushAsync();
        stats = writer.Statistics;
        Assert.Equal(2, stats.Written);
        Assert.Equal(stats.Received, stats.Written + stats.Dropped + stats.Queued);
        Assert.Equal(["2", "1"], (await AllAsync(store)).Select(r => r.Event.Data["i"]));
    }

    [Fact]
    public async Task A_full_queue_that_frees_within_the_bound_keeps_the_event()
    {
        var time = new FakeTimeProvider(T0);
        var store = new GatedAuditStore();
        await using var writer = new AuditWriter(store, new AuditWriterOptions { Capacity = 1, BatchSize = 1, FullWait = TimeSpan.FromSeconds(1) }, timeProvider: time);

        await writer.RecordAsync(Event(1));
        await store.Entered.Task;
        await writer.RecordAsync(Event(2));
        ValueTask third = writer.RecordAsync(Event(3));
        Assert.False(third.IsCompleted);

        store.Open();
        await third;
        await writer.FlushAsync();

        Assert.Equal(0, writer.Statistics.Dropped);
        Assert.Equal(3, (await AllAsync(store)).Count);
    }

    [Fact]
    public async Task A_failing_store_never_throws_to_the_recorder_and_every_event_is_accounted_for()
    {
        var store = new FailingAuditStore();
        await using var writer = new AuditWriter(store, new AuditWriterOptions { BatchSize = 5, StoreRetries = 2, RetryDelay = TimeSpan.Zero });

        for (int i = 0; i < 20; i++)
        {
            await writer.RecordAsync(Event(i));
        }

        await writer.FlushAsync();

        AuditWriterStatistics stats = writer.Statistics;
        Assert.Equal(20, stats.Received);
        Assert.Equal(0, stats.Written);
        Assert.Equal(20, stats.DroppedStoreFailed);
        Assert.Equal(0, stats.Queued);
        Assert.Equal(store.Calls, stats.StoreFailures);
        Assert.Equal(0, store.Calls % 3); // every batch tried once and retried twice
    }

    [Fact]
    public async Task A_store_that_recovers_within_the_retries_loses_nothing()
    {
        var store = new FailingAuditStore(failures: 2);
        await using var writer = new AuditWriter(store, new AuditWriterOptions { StoreRetries = 2, RetryDelay = TimeSpan.Zero });

        for (int i = 0; i < 10; i++)
        {
            await writer.RecordAsync(Event(i));
        }

        await writer.FlushAsync();

        Assert.Equal(10, writer.Statistics.Written);
        Assert.Equal(2, writer.Statistics.StoreFailures);
        Assert.Equal(10, (await AllAsync(store.Inner)).Count);
    }

    [Fact]
    public async Task Dispose_drains_the_queue_and_later_events_are_counted_as_dropped()
    {
        var store = new GatedAuditStore();
        var writer = new AuditWriter(store, new AuditWriterOptions { BatchSize = 3 });
        for (int i = 0; i < 25; i++)
        {
            await writer.RecordAsync(Event(i));
        }

        await store.Entered.Task;
        ValueTask disposing = writer.DisposeAsync();
        Assert.False(disposing.IsCompleted);
        store.Open();
        await disposing;

        Assert.Equal(25, (await AllAsync(store)).Count);
        await writer.RecordAsync(Event(99));
        Assert.Equal(1, writer.Statistics.DroppedDisposed);
        Assert.Equal(26, writer.Statistics.Received);
    }

    [Fact]
    public async Task Synchronous_dispose_also_drains()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        var writer = new AuditWriter(store);
        for (int i = 0; i < 10; i++)
        {
            await writer.RecordAsync(Event(i));
        }

        writer.Dispose();

        Assert.Equal(10, store.Count);
    }

    [Fact]
    public async Task Secrets_are_redacted_before_the_store_sees_them()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        await using var writer = new AuditWriter(store);
        await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0)
        {
            ToolName = "http_get",
            Data = new Dictionary<string, string>
            {
                ["arguments"] = """{"url":"https://example.com","headers":{"Authorization":"Bearer sk-live-123"},"api_key":"sk-live-456"}""",
                ["password"] = "hunter2",
            },
        });
        await writer.FlushAsync();

        AuditRecord stored = Assert.Single((await store.QueryAsync(new AuditQuery())).Records);
        Assert.Equal(DefaultAuditRedactor.Mask, stored.Event.Data["password"]);
        string arguments = stored.Event.Data["arguments"];
        Assert.DoesNotContain("sk-live", arguments, StringComparison.Ordinal);
        Assert.Contains("https://example.com", arguments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_redactor_drops_the_event_rather_than_storing_it_unredacted()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        await using var writer = new AuditWriter(store, redactor: new ThrowingRedactor());

        await writer.RecordAsync(Event(1));
        await writer.FlushAsync();

        Assert.Equal(0, store.Count);
        Assert.Equal(1, writer.Statistics.DroppedRedactionFailed);
    }

    [Fact]
    public void Options_are_read_from_config_and_bad_values_name_the_key()
    {
        var config = new Executus.Configuration.InMemoryConfigSource();
        config.Set("Executus:Audit:Capacity", "50");
        config.Set("Executus:Audit:FullWait", "2s");
        AuditWriterOptions options = AuditWriterOptions.FromConfig(config);
        Assert.Equal(50, options.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(2), options.FullWait);

        config.Set("Executus:Audit:BatchSize", "0");
        Executus.Configuration.ConfigException ex = Assert.Throws<Executus.Configuration.ConfigException>(() => AuditWriterOptions.FromConfig(config));
        Assert.Equal("Executus:Audit:BatchSize", ex.Key);
    }

    [Fact]
    public async Task An_in_memory_store_gets_each_event_before_RecordAsync_returns_and_WriteInline_false_queues_it()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(5));
        var store = new InMemoryAuditStore(AuditRetention.Unbounded, time);
        await using var writer = new AuditWriter(store, new AuditWriterOptions { Linger = TimeSpan.FromSeconds(1) }, timeProvider: time);
        for (int i = 0; i < 3; i++)
        {
            await writer.RecordAsync(Event(i));
            Assert.Equal(i + 1, store.Count);
        }

        List<AuditRecord> all = await AllAsync(store);
        Assert.All(all, r => Assert.Equal(T0.AddMinutes(5), r.WrittenAt));
        Assert.Equal((3L, 3L, 0L), (writer.Statistics.Received, writer.Statistics.Written, writer.Statistics.Queued));

        // A redactor that fails drops the inline event and counts it, as the queued path does.
        var failing = new InMemoryAuditStore(AuditRetention.Unbounded);
        await using (var throwing = new AuditWriter(failing, redactor: new ThrowingRedactor()))
        {
            await throwing.RecordAsync(Event(1));
            Assert.Equal((0, 1L), (failing.Count, throwing.Statistics.DroppedRedactionFailed));
        }

        var queuedStore = new InMemoryAuditStore(AuditRetention.Unbounded);
        await using var queued = new AuditWriter(queuedStore, new AuditWriterOptions { WriteInline = false, Linger = TimeSpan.FromSeconds(1) });
        await queued.RecordAsync(Event(1));
        await queued.FlushAsync();
        Assert.Equal(1, queuedStore.Count);

        var config = new Executus.Configuration.InMemoryConfigSource();
        Assert.True(AuditWriterOptions.FromConfig(config).WriteInline);
        config.Set("Executus:Audit:WriteInline", "false");
        Assert.False(AuditWriterOptions.FromConfig(config).WriteInline);
        config.Set("Executus:Audit:WriteInline", "sometimes");
        Assert.Equal("Executus:Audit:WriteInline", Assert.Throws<Executus.Configuration.ConfigException>(() => AuditWriterOptions.FromConfig(config)).Key);
    }

    [Fact]
    public async Task Inline_and_queued_writes_under_concurrent_recorders_and_queries_store_every_event_once()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        // Room for every event: this test is about inline and queued writes meeting, not the full-queue policy.
        await using var writer = new AuditWriter(store, new AuditWriterOptions { Linger = TimeSpan.Zero, Capacity = 100_000 });
        using var stop = new CancellationTokenSource();

        // Queries hold the store while they scan, so some recorders find it busy and queue their events.
        Task queries = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await store.QueryAsync(new AuditQuery { Limit = 1000, AgentName = "nobody" });
                await Task.Yield();
            }
        });
        const int Threads = 4;
        const int PerThread = 5_000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddMilliseconds(i)) { RunId = $"t{t}", Sequence = i, AgentName = "writer" });
            }
        })));
        stop.Cancel();
        await queries;
        await writer.FlushAsync();

        Assert.Equal(Threads * PerThread, store.Count);
        List<AuditRecord> all = await AllAsync(store);
        for (int t = 0; t < Threads; t++)
        {
            long[] sequences = [.. all.Where(r => r.RunId == $"t{t}").Select(r => r.Event.Sequence).Order()];
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => (long)i), sequences);
        }

        AuditWriterStatistics stats = writer.Statistics;
        Assert.Equal((Threads * PerThread, (long)Threads * PerThread, 0L, 0L), (stats.Received, stats.Written, stats.Queued, stats.Dropped));
    }

    private sealed class ThrowingRedactor : IAuditRedactor
    {
        public AuditEvent Redact(AuditEvent auditEvent) => throw new InvalidOperationException("bad pattern");
    }
}
