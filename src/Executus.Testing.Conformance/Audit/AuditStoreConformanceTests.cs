using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Identity;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Executus.Testing.Conformance.Audit;

/// <summary>
/// The behaviour every <see cref="IAuditStore"/> must have. Derive a test class, implement <see cref="CreateStoreAsync"/>
/// to return a new, empty store with the given retention and clock, and every case runs against it.
/// </summary>
public abstract class AuditStoreConformanceTests
{
    /// <summary>A fixed instant the cases are built around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly CallerIdentity Alice = new("alice", "Alice", "acme", roles: ["admin"]);
    private static readonly CallerIdentity Bob = new CallerIdentity("bob", "Bob").WithTenant("globex");

    /// <summary>Creates a new, empty store for one case.</summary>
    /// <param name="retention">The retention the store must apply.</param>
    /// <param name="timeProvider">The clock retention by age is measured against.</param>
    /// <returns>The store.</returns>
    protected abstract Task<IAuditStore> CreateStoreAsync(AuditRetention retention, TimeProvider timeProvider);

    /// <summary>Checks records come back newest first, ties on observed time ordered by id descending.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RecordsComeBackNewestFirst()
    {
        IAuditStore store = await NewStoreAsync();
        await store.AppendAsync([Record("b", T0.AddSeconds(1)), Record("a", T0.AddSeconds(2)), Record("c", T0.AddSeconds(1))]);
        await store.AppendAsync([Record("d", T0)]);

        AuditPage page = await store.QueryAsync(new AuditQuery());

        Assert.Equal(["a", "c", "b", "d"], page.Records.Select(r => r.Id));
        Assert.Null(page.NextCursor);
    }

    /// <summary>Checks every field of an event survives the store.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task EveryFieldRoundTrips()
    {
        IAuditStore store = await NewStoreAsync();
        var auditEvent = new AuditEvent(AuditEventKind.ToolCall, T0)
        {
            RunId = "run-1",
            AgentName = "writer",
            Caller = Alice,
            ToolName = "web_fetch",
            Detail = "boom",
            Sequence = 7,
            Iteration = 3,
            Model = "gpt-test-2026",
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5, TotalTokenCount = 17 },
            Duration = TimeSpan.FromMilliseconds(1234.5),
            Arguments = JsonDocument.Parse("""{"url":"https://example.com","depth":2,"tags":["a","b"],"nested":{"ok":true}}""").RootElement.Clone(),
            Data = new Dictionary<string, string> { ["stage"] = "3", ["duration_ms"] = "12" },
        };
        await store.AppendAsync([new AuditRecord("id-1", auditEvent, T0.AddSeconds(5))]);

        AuditRecord stored = Assert.Single((await store.QueryAsync(new AuditQuery())).Records);

        Assert.Equal("id-1", stored.Id);
        Assert.Equal(T0, stored.ObservedAt);
        Assert.Equal(T0.AddSeconds(5), stored.WrittenAt);
        Assert.Equal(AuditEventKind.ToolCall, stored.Kind);
        Assert.Equal("run-1", stored.RunId);
        Assert.Equal("writer", stored.AgentName);
        Assert.Equal("alice", stored.CallerId);
        Assert.Equal("acme", stored.TenantKey);
        Assert.Equal("web_fetch", stored.ToolName);
        Assert.Equal("boom", stored.Event.Detail);
        Assert.Equal(AuditOutcomes.Error, stored.Outcome);
        Assert.Equal("3", stored.Event.Data["stage"]);
        Assert.Equal("12", stored.Event.Data["duration_ms"]);
        Assert.Equal(7, stored.Event.Sequence);
        Assert.Equal(3, stored.Event.Iteration);
        Assert.Equal("gpt-test-2026", stored.Event.Model);
        Assert.Equal(12, stored.Event.Usage?.InputTokenCount);
        Assert.Equal(5, stored.Event.Usage?.OutputTokenCount);
        Assert.Equal(17, stored.Event.Usage?.TotalTokenCount);
        Assert.Equal(TimeSpan.FromMilliseconds(1234.5), stored.Event.Duration);
        JsonElement arguments = stored.Event.Arguments!.Value;
        Assert.Equal("https://example.com", arguments.GetProperty("url").GetString());
        Assert.Equal(2, arguments.GetProperty("depth").GetInt32());
        Assert.Equal(["a", "b"], arguments.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));
        Assert.True(arguments.GetProperty("nested").GetProperty("ok").GetBoolean());
        Assert.Equal(["admin"], stored.Event.Caller!.Roles);
    }

    /// <summary>Checks the run id filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByRunId() => await AssertFilterAsync(new AuditQuery { RunId = "run-2" }, ["t2-call", "t2-start"]);

    /// <summary>Checks the caller filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByCaller() => await AssertFilterAsync(new AuditQuery { CallerId = "bob" }, ["t2-call", "t2-start"]);

    /// <summary>Checks the tenant filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByTenant() => await AssertFilterAsync(new AuditQuery { TenantKey = "acme" }, ["t1-end", "t1-denied", "t1-error", "t1-call", "t1-start"]);

    /// <summary>Checks the agent filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByAgent() => await AssertFilterAsync(new AuditQuery { AgentName = "reader" }, ["t2-call", "t2-start"]);

    /// <summary>Checks the tool filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByTool() => await AssertFilterAsync(new AuditQuery { ToolName = "web_fetch" }, ["t2-call", "t1-denied", "t1-call"]);

    /// <summary>Checks the kind filter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByKind() => await AssertFilterAsync(new AuditQuery { Kind = AuditEventKind.RunStarted }, ["t2-start", "t1-start"]);

    /// <summary>Checks the outcome filter (tool errors, denials and a run's outcome).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByOutcome()
    {
        await AssertFilterAsync(new AuditQuery { Outcome = AuditOutcomes.Error }, ["t1-error"]);
        await AssertFilterAsync(new AuditQuery { Outcome = AuditOutcomes.Denied }, ["t1-denied"]);
        await AssertFilterAsync(new AuditQuery { Outcome = "BudgetExceeded" }, ["t1-end"]);
    }

    /// <summary>Checks the time range filter is inclusive at both ends.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersByTimeRangeInclusive() =>
        await AssertFilterAsync(new AuditQuery { Since = T0.AddSeconds(1), Until = T0.AddSeconds(3) }, ["t1-denied", "t1-error", "t1-call"]);

    /// <summary>Checks several filters combine with AND.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task FiltersCombine() =>
        await AssertFilterAsync(new AuditQuery { TenantKey = "acme", Kind = AuditEventKind.ToolCall, ToolName = "web_fetch" }, ["t1-call"]);

    /// <summary>Checks cursor paging visits every match exactly once, even when newer records arrive between pages.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task CursorPagingVisitsEveryRecordOnceWhileRecordsArrive()
    {
        IAuditStore store = await NewStoreAsync();
        await store.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Record($"r{i:D2}", T0.AddSeconds(i)))]);

        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 3, Cursor = cursor });
            seen.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
            await store.AppendAsync([Record($"new{pages}", T0.AddMinutes(pages))]);
        }
        while (cursor is not null);

        Assert.Equal([.. Enumerable.Range(0, 10).Reverse().Select(i => $"r{i:D2}")], seen);
        Assert.Equal(4, pages);
    }

    /// <summary>Checks a page that ends exactly at the last match still says there is no more.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ExactLastPageHasNoCursor()
    {
        IAuditStore store = await NewStoreAsync();
        await store.AppendAsync([Record("a", T0), Record("b", T0.AddSeconds(1))]);

        AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 2 });

        Assert.Equal(2, page.Records.Count);
        Assert.Null(page.NextCursor);
    }

    /// <summary>Checks a malformed cursor or page size is refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task MalformedQueriesAreRefused()
    {
        IAuditStore store = await NewStoreAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.QueryAsync(new AuditQuery { Cursor = "not a cursor" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.QueryAsync(new AuditQuery { Limit = 0 }));
    }

    /// <summary>Checks retention by count keeps the newest records.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RetentionByCountKeepsTheNewest()
    {
        IAuditStore store = await CreateStoreAsync(new AuditRetention(MaxCount: 3), new FakeTimeProvider(T0));
        await store.AppendAsync([.. Enumerable.Range(0, 5).Select(i => Record($"r{i}", T0.AddSeconds(i)))]);
        await store.AppendAsync([Record("r5", T0.AddSeconds(5))]);

        AuditPage page = await store.QueryAsync(new AuditQuery());

        Assert.Equal(["r5", "r4", "r3"], page.Records.Select(r => r.Id));
    }

    /// <summary>Checks retention by age drops records observed longer ago than the bound, as the clock moves.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RetentionByAgeDropsOldRecords()
    {
        var time = new FakeTimeProvider(T0.AddDays(1));
        IAuditStore store = await CreateStoreAsync(new AuditRetention(MaxAge: TimeSpan.FromDays(1)), time);
        await store.AppendAsync([Record("old", T0), Record("edge", T0.AddHours(1)), Record("new", T0.AddHours(20))]);

        Assert.Equal(["new", "edge", "old"], (await store.QueryAsync(new AuditQuery())).Records.Select(r => r.Id));

        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["new", "edge"], (await store.QueryAsync(new AuditQuery())).Records.Select(r => r.Id));

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(["new"], (await store.QueryAsync(new AuditQuery())).Records.Select(r => r.Id));
    }

    /// <summary>Checks per-tool counts of calls, errors and denials within a period.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ToolCountsCountCallsErrorsAndDenialsInThePeriod()
    {
        IAuditStore store = await NewStoreAsync();
        await SeedAsync(store);
        await store.AppendAsync([Tool("late", AuditEventKind.ToolCall, "web_fetch", T0.AddDays(2), Alice, "run-9", "writer")]);

        IReadOnlyList<ToolCallCounts> counts = await store.GetToolCountsAsync(T0, T0.AddDays(1));

        Assert.Equal(
            [new ToolCallCounts("read_file", 1, 1, 0), new ToolCallCounts("web_fetch", 2, 0, 1)],
            counts);
    }

    /// <summary>Checks concurrent appends are all stored and page out completely.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ConcurrentAppendsAreAllStored()
    {
        IAuditStore store = await NewStoreAsync();
        using var start = new ManualResetEventSlim();
        Task[] writers = [.. Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (int i = 0; i < 25; i++)
            {
                await store.AppendAsync([Record($"w{w:D2}-{i:D2}", T0.AddMilliseconds((i * 16) + w))]);
            }
        }))];
        start.Set();
        await Task.WhenAll(writers);

        var ids = new List<string>();
        string? cursor = null;
        do
        {
            AuditPage page = await store.QueryAsync(new AuditQuery { Limit = 37, Cursor = cursor });
            ids.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(400, ids.Count);
        Assert.Equal(400, ids.Distinct().Count());
    }

    /// <summary>Builds a plain record.</summary>
    /// <param name="id">The id.</param>
    /// <param name="at">The observed time.</param>
    /// <returns>The record.</returns>
    protected static AuditRecord Record(string id, DateTimeOffset at) =>
        new(id, new AuditEvent(AuditEventKind.ModelCall, at) { RunId = "run-x", AgentName = "agent", Caller = Alice }, at.AddMilliseconds(1));

    private Task<IAuditStore> NewStoreAsync() => CreateStoreAsync(AuditRetention.Unbounded, new FakeTimeProvider(T0));

    private static AuditRecord Tool(string id, AuditEventKind kind, string? tool, DateTimeOffset at, CallerIdentity caller, string runId, string agent, string? detail = null, string? outcome = null) =>
        new(id, new AuditEvent(kind, at)
        {
            RunId = runId,
            AgentName = agent,
            Caller = caller,
            ToolName = tool,
            Detail = detail,
            Data = outcome is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [AuditOutcomes.DataKey] = outcome },
        }, at);

    private static Task SeedAsync(IAuditStore store) => store.AppendAsync(
    [
        Tool("t1-start", AuditEventKind.RunStarted, null, T0, Alice, "run-1", "writer"),
        Tool("t1-call", AuditEventKind.ToolCall, "web_fetch", T0.AddSeconds(1), Alice, "run-1", "writer"),
        Tool("t1-error", AuditEventKind.ToolCall, "read_file", T0.AddSeconds(2), Alice, "run-1", "writer", detail: "file not found"),
        Tool("t1-denied", AuditEventKind.ToolDenied, "web_fetch", T0.AddSeconds(3), Alice, "run-1", "writer", detail: "blocked host"),
        Tool("t1-end", AuditEventKind.RunFinished, null, T0.AddSeconds(4), Alice, "run-1", "writer", outcome: "BudgetExceeded"),
        Tool("t2-start", AuditEventKind.RunStarted, null, T0.AddSeconds(5), Bob, "run-2", "reader"),
        Tool("t2-call", AuditEventKind.ToolCall, "web_fetch", T0.AddSeconds(6), Bob, "run-2", "reader"),
    ]).AsTask();

    private async Task AssertFilterAsync(AuditQuery query, string[] expected)
    {
        IAuditStore store = await NewStoreAsync();
        await SeedAsync(store);
        AuditPage page = await store.QueryAsync(query);
        Assert.Equal(expected, page.Records.Select(r => r.Id));
    }

    /// <summary>Checks unicode, a large detail, nulls and an observed time with a non-zero offset round-trip.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Unicode_large_nulls_and_offsets_round_trip()
    {
        IAuditStore store = await NewStoreAsync();
        string large = string.Concat(Enumerable.Repeat("détail 😀 字 ", 20_000));
        DateTimeOffset observed = new(2026, 11, 1, 8, 0, 0, TimeSpan.FromHours(-4));
        var auditEvent = new AuditEvent(AuditEventKind.RunFinished, observed)
        {
            RunId = "run-ü",
            AgentName = "agent 字",
            Caller = null,
            ToolName = null,
            Detail = large,
            Arguments = null,
            Usage = null,
            Data = new Dictionary<string, string> { ["ключ"] = "значение 🎉" },
        };
        await store.AppendAsync([new AuditRecord("id-ü", auditEvent, observed)]);

        AuditRecord stored = Assert.Single((await store.QueryAsync(new AuditQuery { AgentName = "agent 字" })).Records);
        Assert.Equal(observed, stored.ObservedAt);
        Assert.Equal(observed.UtcTicks, stored.ObservedAt.UtcTicks);
        Assert.Equal(large, stored.Event.Detail);
        Assert.Null(stored.CallerId);
        Assert.Null(stored.ToolName);
        Assert.Null(stored.Event.Arguments);
        Assert.Null(stored.Event.Usage);
        Assert.Equal("значение 🎉", stored.Event.Data["ключ"]);
        Assert.Single((await store.QueryAsync(new AuditQuery { Since = T0.AddHours(-1), Until = T0 })).Records);
    }

}
