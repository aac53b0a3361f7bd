using System.Collections.Frozen;
using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Microsoft.Extensions.AI;

namespace Executus.Batteries.Audit.Tests;

/// <summary>The audit battery's cheap paths keep their behaviour: record ids, retention at the count limit, redaction.</summary>
public class AuditHotPathTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Record_ids_are_version_7_shaped_unique_and_sort_by_time()
    {
        string[] ids = [.. Enumerable.Range(0, 3000).Select(i => AuditIds.New(T0.AddMilliseconds(i / 3)))];

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Guid parsed = Guid.ParseExact(id, "N");
            Assert.Equal(7, parsed.Version);
            Assert.Equal(id, parsed.ToString("N"));
        });
        for (int i = 3; i < ids.Length; i += 3)
        {
            Assert.True(string.CompareOrdinal(ids[i - 3], ids[i]) < 0, "a later millisecond sorts later");
        }

        Assert.Equal(Guid.CreateVersion7(T0).ToString("N")[..12], AuditIds.New(T0)[..12]);
    }

    [Fact]
    public void A_writer_record_formats_its_id_on_read_and_orders_ids_like_their_text()
    {
        Guid[] guids = [.. Enumerable.Range(0, 2000).Select(i => AuditIds.NewGuid(T0.AddMilliseconds(i % 7)))];
        var auditEvent = new AuditEvent(AuditEventKind.ToolCall, T0);
        AuditRecord[] lazy = [.. guids.Select(g => new AuditRecord(g, auditEvent, T0))];
        AuditRecord[] text = [.. guids.Select(g => new AuditRecord(g.ToString("N"), auditEvent, T0))];
        for (int i = 1; i < guids.Length; i++)
        {
            int expected = Math.Sign(string.CompareOrdinal(guids[i - 1].ToString("N"), guids[i].ToString("N")));
            Assert.Equal(expected, Math.Sign(AuditRecord.CompareIds(lazy[i - 1], lazy[i])));
            Assert.Equal(expected, Math.Sign(AuditRecord.CompareIds(lazy[i - 1], text[i])));
        }

        Assert.Equal(guids[0].ToString("N"), lazy[0].Id);
        Assert.Equal(text[1], lazy[1]);
        Assert.Equal(text[1].GetHashCode(), lazy[1].GetHashCode());
        Assert.NotEqual(text[1], lazy[2]);
    }

    [Fact]
    public async Task The_count_limit_keeps_the_newest_records_across_many_appends()
    {
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 100));
        for (int i = 0; i < 5000; i += 7)
        {
            AuditRecord[] batch = [.. Enumerable.Range(i, 7).Select(n => new AuditRecord(
                AuditIds.New(T0.AddSeconds(n)),
                new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(n)) { RunId = "r" + n },
                T0))];
            await store.AppendAsync(batch);
            Assert.True(store.Count <= 100);
        }

        AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 1000 });
        Assert.Equal(100, store.Count);
        Assert.Equal(Enumerable.Range(4905, 100).Reverse().Select(n => "r" + n), page.Records.Select(r => r.RunId));
        AuditPage one = await store.QueryAsync(new AuditQuery { RunId = "r5004" });
        Assert.Single(one.Records);
        Assert.Empty((await store.QueryAsync(new AuditQuery { RunId = "r4904" })).Records);
    }

    [Fact]
    public async Task Inline_appends_at_the_count_limit_drop_in_groups_but_readers_see_the_limit()
    {
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 100));
        await using var writer = new AuditWriter(store);
        for (int n = 0; n < 1000; n++)
        {
            await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(n)) { RunId = "r" + n, ToolName = "step" });
            if (n % 37 == 0)
            {
                // Both read paths apply retention in full, whatever the appends left for the next group drop.
                Assert.Equal(Math.Min(n + 1, 100), store.Count);
                AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 1000 });
                Assert.Equal(Enumerable.Range(Math.Max(0, n - 99), Math.Min(n + 1, 100)).Reverse().Select(i => "r" + i), page.Records.Select(r => r.RunId));
            }
        }

        IReadOnlyList<ToolCallCounts> counts = await store.GetToolCountsAsync(T0, T0.AddDays(1));
        Assert.Equal(100, Assert.Single(counts).Calls);
        Assert.Equal(1000, writer.Statistics.Written);
    }

    [Fact]
    public void Clean_arguments_are_left_alone_and_a_deep_secret_is_still_masked()
    {
        var redactor = new DefaultAuditRedactor();
        var clean = new AuditEvent(AuditEventKind.ToolCall, T0)
        {
            Arguments = JsonSerializer.SerializeToElement(new { url = "https://example.com", items = new[] { new { note = "fine" } } }),
        };
        var secret = clean with
        {
            Arguments = JsonSerializer.SerializeToElement(new { items = new object[] { 1, new { inner = new { client_secret = "s3cr3t" } } } }),
        };

        Assert.Same(clean, redactor.Redact(clean));
        AuditEvent masked = redactor.Redact(secret);
        Assert.Equal("***", masked.Arguments!.Value.GetProperty("items")[1].GetProperty("inner").GetProperty("client_secret").GetString());
    }

    [Fact]
    public async Task A_flush_cuts_the_writers_linger_short_and_disposal_drains()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        var writer = new AuditWriter(store, new AuditWriterOptions { Linger = TimeSpan.FromSeconds(1), WriteInline = false });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5; i++)
        {
            await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(i)) { RunId = "r" + i });
            await writer.FlushAsync();
            Assert.Equal(i + 1, store.Count);
        }

        // Five flushes that each waited out a 1 s linger would take at least 5 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"flushes took {clock.Elapsed}");
        await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(9)) { RunId = "last" });
        await writer.DisposeAsync();
        Assert.Equal(6, store.Count);
    }

    [Fact]
    public void The_linger_is_bounded_and_read_from_configuration()
    {
        var config = new Configuration.InMemoryConfigSource(new Dictionary<string, string?> { ["Executus:Audit:Linger"] = "5ms" });

        Assert.Equal(TimeSpan.FromMilliseconds(5), AuditWriterOptions.FromConfig(config).Linger);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditWriterOptions { Linger = TimeSpan.FromSeconds(2) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditWriterOptions { Linger = TimeSpan.FromMilliseconds(-1) }.Validate());
    }

    [Fact]
    public async Task Argument_pairs_are_stored_as_their_json_and_as_redacted_json_when_they_hold_a_secret()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        await using var writer = new AuditWriter(store, new AuditWriterOptions { MaxValueLength = 20 });
        var secret = new Dictionary<string, object?> { ["url"] = "https://a.example", ["api_key"] = "sk-live-1" };
        await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0) { ToolName = "clean", ArgumentValues = new Dictionary<string, object?> { ["i"] = 1, ["s"] = "short" } });
        await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(1)) { ToolName = "secret", ArgumentValues = secret });
        await writer.RecordAsync(new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(2))
        {
            ToolName = "long",
            ArgumentValues = new Dictionary<string, object?> { ["text"] = new string('x', 40), ["deep"] = JsonSerializer.SerializeToElement(new { password = "p" }) },
        });
        secret["api_key"] = "changed-after-the-call";
        await writer.FlushAsync();

        Dictionary<string, AuditEvent> stored = (await store.QueryAsync(new AuditQuery())).Records.ToDictionary(r => r.ToolName!, r => r.Event);
        // The store keeps arguments as JSON text (no objects of the call kept alive); a query reads them back as JSON.
        Assert.Null(stored["clean"].ArgumentValues);
        Assert.Equal("""{"i":1,"s":"short"}""", JsonSerializer.Serialize(stored["clean"].Arguments!.Value));
        Assert.Null(stored["secret"].ArgumentValues);
        Assert.Equal(DefaultAuditRedactor.Mask, stored["secret"].Arguments!.Value.GetProperty("api_key").GetString());
        Assert.Equal("https://a.example", stored["secret"].Arguments!.Value.GetProperty("url").GetString());
        Assert.StartsWith(new string('x', 20) + "…[truncated", stored["long"].Arguments!.Value.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(DefaultAuditRedactor.Mask, stored["long"].Arguments!.Value.GetProperty("deep").GetProperty("password").GetString());
    }

    [Fact]
    public void Frozen_data_is_redacted_like_any_other_and_a_clean_one_is_passed_through()
    {
        var redactor = new DefaultAuditRedactor();
        var clean = new Dictionary<string, string> { ["outcome"] = "Completed" }.ToFrozenDictionary(StringComparer.Ordinal);
        var secret = new Dictionary<string, string> { ["api_token"] = "t0ps3cret", ["outcome"] = "Completed" }.ToFrozenDictionary(StringComparer.Ordinal);
        var cleanEvent = new AuditEvent(AuditEventKind.RunFinished, T0) { Data = clean };
        for (int i = 0; i < 2; i++)
        {
            Assert.Same(cleanEvent, redactor.Redact(cleanEvent));
            AuditEvent masked = redactor.Redact(new AuditEvent(AuditEventKind.RunFinished, T0) { Data = secret });
            Assert.Equal(DefaultAuditRedactor.Mask, masked.Data["api_token"]);
            Assert.Equal("Completed", masked.Data["outcome"]);
        }
    }

    [Fact]
    public async Task Stored_arguments_read_back_right_while_retention_reuses_their_text_blocks()
    {
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 50));
        string big = new('b', AuditArgumentArena.BlockSize + 10);
        for (int i = 0; i < 5_000; i++)
        {
            var arguments = new Dictionary<string, object?> { ["n"] = i, ["s"] = $"text-{i}", ["big"] = i % 997 == 0 ? big : null };
            await store.AppendAsync([new AuditRecord($"id{i:D5}", new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(i)) { Sequence = i, ArgumentValues = arguments }, T0)]);
        }

        IReadOnlyList<AuditRecord> kept = (await store.QueryAsync(new AuditQuery { Limit = 100 })).Records;
        Assert.Equal(50, kept.Count);
        foreach (AuditRecord record in kept)
        {
            long i = record.Event.Sequence;
            JsonElement arguments = record.Event.Arguments!.Value;
            Assert.Equal(i, arguments.GetProperty("n").GetInt64());
            Assert.Equal($"text-{i}", arguments.GetProperty("s").GetString());
            Assert.Equal(i % 997 == 0 ? big : null, arguments.GetProperty("big").GetString());
        }

        // A record with odd arguments keeps one value per name, and one that cannot be written says so instead of being lost.
        await store.AppendAsync(
        [
            new AuditRecord("dup", new AuditEvent(AuditEventKind.ToolCall, T0.AddDays(1)) { ToolName = "dup", ArgumentValues = [new("a", 1), new("a", 2)] }, T0),
            new AuditRecord("nan", new AuditEvent(AuditEventKind.ToolCall, T0.AddDays(1)) { ToolName = "nan", ArgumentValues = new Dictionary<string, object?> { ["x"] = double.NaN } }, T0),
        ]);
        Dictionary<string, AuditEvent> odd = (await store.QueryAsync(new AuditQuery { Since = T0.AddDays(1) })).Records.ToDictionary(r => r.ToolName!, r => r.Event);
        Assert.Equal("""{"a":2}""", odd["dup"].Arguments!.Value.GetRawText());
        Assert.Equal(JsonValueKind.Object, odd["nan"].Arguments!.Value.ValueKind);
    }

    [Fact]
    public async Task Run_ids_read_back_and_match_queries_while_retention_reuses_the_blocks_holding_their_text()
    {
        // A run's records share one copy of its id in the store's text blocks; retention gives blocks up for reuse, and
        // a run whose id's block was reused (here: the same run id again after every one of its records was dropped)
        // must still read back and match its own id, never another run's text.
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 40));
        string filler = new('f', AuditArgumentArena.BlockSize / 8);
        var runs = new List<string>();
        for (int i = 0; i < 3_000; i++)
        {
            string run = i % 500 < 250 ? $"run-{i / 7}" : "run-again"; // a long-lived id comes back after being dropped
            runs.Add(run);
            var arguments = new Dictionary<string, object?> { ["filler"] = i % 5 == 0 ? filler : "x" };
            await store.AppendAsync([new AuditRecord($"id{i:D5}", new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(i)) { Sequence = i, RunId = run, ToolName = new string("step"), ArgumentValues = arguments }, T0)]);
            if (i % 97 == 0)
            {
                IReadOnlyList<AuditRecord> ofRun = (await store.QueryAsync(new AuditQuery { RunId = run, Limit = 100 })).Records;
                Assert.NotEmpty(ofRun);
                Assert.All(ofRun, r => Assert.Equal(run, r.Event.RunId));
                Assert.Equal(Math.Min(40, runs.Count), (await store.QueryAsync(new AuditQuery { Limit = 100 })).Records.Count);
            }
        }

        IReadOnlyList<AuditRecord> kept = (await store.QueryAsync(new AuditQuery { Limit = 100 })).Records;
        Assert.All(kept, r => Assert.Equal(runs[(int)r.Event.Sequence], r.Event.RunId));
        Assert.All(kept, r => Assert.Equal("step", r.Event.ToolName));
        Assert.Empty((await store.QueryAsync(new AuditQuery { RunId = "run-" })).Records);
        Assert.Empty((await store.QueryAsync(new AuditQuery { RunId = "run-again-and-more" })).Records);

        // A record without a run id reads back without one, and an empty run id stays empty.
        await store.AppendAsync(
        [
            new AuditRecord("none", new AuditEvent(AuditEventKind.RunStarted, T0.AddDays(1)), T0),
            new AuditRecord("empty", new AuditEvent(AuditEventKind.RunStarted, T0.AddDays(1)) { RunId = string.Empty }, T0),
        ]);
        Dictionary<string, AuditRecord> byId = (await store.QueryAsync(new AuditQuery { Since = T0.AddDays(1) })).Records.ToDictionary(r => r.Id);
        Assert.Null(byId["none"].Event.RunId);
        Assert.Equal(string.Empty, byId["empty"].Event.RunId);
        Assert.Equal("empty", Assert.Single((await store.QueryAsync(new AuditQuery { RunId = string.Empty })).Records).Id);
    }

    [Fact]
    public async Task Tool_and_model_names_read_back_right_past_the_bound_of_the_shared_name_pool()
    {
        // The store keeps one instance per name in a bounded pool that is emptied when full (1,024 names); names past the
        // bound, and names seen again after the pool was emptied, must still be stored and counted as they were given.
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 5_000));
        for (int i = 0; i < 3_000; i++)
        {
            await store.AppendAsync([new AuditRecord($"id{i:D5}", new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(i)) { Sequence = i, ToolName = new string($"tool-{i % 1500}"), Model = new string($"model-{i % 1100}") }, T0)]);
        }

        IReadOnlyList<AuditRecord> records = (await store.QueryAsync(new AuditQuery { Limit = 1_000 })).Records;
        Assert.All(records, r => Assert.Equal(($"tool-{r.Event.Sequence % 1500}", $"model-{r.Event.Sequence % 1100}"), (r.Event.ToolName, r.Event.Model)));
        IReadOnlyList<ToolCallCounts> counts = await store.GetToolCountsAsync(T0, T0.AddDays(1));
        Assert.Equal(1500, counts.Count);
        Assert.All(counts, c => Assert.Equal(2, c.Calls));
    }

    [Fact]
    public async Task A_run_whose_records_all_aged_out_stores_its_id_again_rather_than_reuse_a_block_given_up()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var store = new InMemoryAuditStore(new AuditRetention(MaxAge: TimeSpan.FromHours(1)), clock);
        string big = new('b', AuditArgumentArena.BlockSize / 3);

        // One run's records: its id's text goes into the first block, the large arguments fill that block and the next.
        for (int i = 0; i < 6; i++)
        {
            await store.AppendAsync([new AuditRecord($"old{i}", new AuditEvent(AuditEventKind.ToolCall, clock.GetUtcNow()) { RunId = "run-1", ArgumentValues = new Dictionary<string, object?> { ["big"] = big } }, T0)]);
        }

        // All of them age out: the first block is given up for reuse. The same run records again, then another run
        // writes over the reused block.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty((await store.QueryAsync(new AuditQuery())).Records);
        await store.AppendAsync([new AuditRecord("new-1", new AuditEvent(AuditEventKind.ToolCall, clock.GetUtcNow()) { RunId = "run-1" }, T0)]);
        for (int i = 0; i < 6; i++)
        {
            await store.AppendAsync([new AuditRecord($"other{i}", new AuditEvent(AuditEventKind.ToolCall, clock.GetUtcNow()) { RunId = "zzzzz", ArgumentValues = new Dictionary<string, object?> { ["big"] = big } }, T0)]);
        }

        AuditRecord again = Assert.Single((await store.QueryAsync(new AuditQuery { RunId = "run-1" })).Records);
        Assert.Equal("new-1", again.Id);
        Assert.Equal("run-1", again.Event.RunId);
    }

    [Fact]
    public async Task Usage_is_kept_whole_whether_the_store_holds_its_counts_as_values_or_the_object()
    {
        var store = new InMemoryAuditStore(AuditRetention.Unbounded);
        var plain = new UsageDetails { InputTokenCount = 7, TotalTokenCount = 10 };
        var rich = new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10, CachedInputTokenCount = 5, ReasoningTokenCount = 2 };
        rich.AdditionalCounts = new AdditionalPropertiesDictionary<long> { ["provider_special"] = 4 };
        await store.AppendAsync(
        [
            new AuditRecord("a", new AuditEvent(AuditEventKind.ModelCall, T0) { Usage = plain }, T0),
            new AuditRecord("b", new AuditEvent(AuditEventKind.ModelCall, T0.AddSeconds(1)) { Usage = rich }, T0),
            new AuditRecord("c", new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(2)), T0),
        ]);
        plain.InputTokenCount = 999; // the store kept the counts of the moment it was given them

        Dictionary<string, AuditEvent> stored = (await store.QueryAsync(new AuditQuery())).Records.ToDictionary(r => r.Id, r => r.Event);

        Assert.Equal((7L, (long?)null, 10L), (stored["a"].Usage!.InputTokenCount!.Value, stored["a"].Usage!.OutputTokenCount, stored["a"].Usage!.TotalTokenCount!.Value));
        Assert.Equal(5, stored["b"].Usage!.CachedInputTokenCount);
        Assert.Equal(2, stored["b"].Usage!.ReasoningTokenCount);
        Assert.Equal(4, stored["b"].Usage!.AdditionalCounts!["provider_special"]);
        Assert.Null(stored["c"].Usage);
    }

    [Fact]
    public async Task Records_arriving_out_of_order_across_chunks_are_kept_in_order_and_retention_reuses_chunks()
    {
        var store = new InMemoryAuditStore(new AuditRetention(MaxCount: 2500));

        // Batches of 300 in shuffled time order, so inserts land before records already stored, across chunk boundaries.
        for (int batch = 0; batch < 20; batch++)
        {
            AuditRecord[] records = [.. Enumerable.Range(0, 300).Select(i =>
            {
                int n = (batch * 300) + ((i * 7) % 300) - 150;
                return new AuditRecord($"id{n + 1000:D6}", new AuditEvent(AuditEventKind.ToolCall, T0.AddSeconds(n)) { Sequence = n }, T0);
            })];
            await store.AppendAsync(records);
        }

        var all = new List<AuditRecord>();
        string? cursor = null;
        do
        {
            AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 1000, Cursor = cursor });
            all.AddRange(page.Records);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(2500, store.Count);
        Assert.Equal(2500, all.Count);
        Assert.Equal(all.Select(r => r.ObservedAt).OrderByDescending(t => t), all.Select(r => r.ObservedAt));
        Assert.Equal(5849, all[0].Event.Sequence);
        Assert.Equal(Enumerable.Range(3350, 2500).Reverse().Select(n => (long)n), all.Select(r => r.Event.Sequence));
    }
}
