using System.Globalization;
using System.Text.Json;

namespace Executus.BotHost.Tests;

/// <summary>
/// A database several BotHost processes share. Derive one per storage backend (SQLite here; PostgreSQL in its own
/// package) and return it from <see cref="MultiHostTests.CreateBackendAsync"/>.
/// </summary>
public abstract class MultiHostBackend : IAsyncDisposable
{
    /// <summary>Gets the settings every host gets so that they all use the one database (<c>BotHost:Storage:*</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Removes the database.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the database (override for a server database).</summary>
    /// <returns>A task.</returns>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}

/// <summary>One SQLite file in the test's folder: processes of one machine.</summary>
public sealed class SqliteMultiHostBackend(string folder) : MultiHostBackend
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["BotHost:Storage:Provider"] = "sqlite",
        ["BotHost:Storage:Sqlite"] = Path.Combine(folder, "shared.db"),
    };
}

/// <summary>
/// Three real BotHost processes on one database (issue 18's multi-host tests). The backend is abstract; the scenarios
/// are split over two classes (<see cref="MultiHostScheduleTests"/>, <see cref="MultiHostRunTests"/>) so xunit runs the
/// 100-second schedule case beside the others. Lease settings are short (duration 4 s, heartbeat 1 s, scan 1 s).
/// </summary>
public abstract class MultiHostTests : IAsyncLifetime
{
    protected const string AliceKey = "alice-key-0123456789";
    protected const int Hosts = 3;

    /// <summary>The run lease's duration in these tests.</summary>
    protected static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);

    private readonly string _root = Directory.CreateTempSubdirectory("bothost-multi-").FullName;
    private MultiHostBackend? _backend;

    /// <summary>Creates the shared database for one test.</summary>
    /// <param name="folder">A fresh folder the test owns.</param>
    /// <returns>The backend.</returns>
    protected abstract Task<MultiHostBackend> CreateBackendAsync(string folder);

    public async Task InitializeAsync() => _backend = await CreateBackendAsync(Directory.CreateDirectory(Path.Combine(_root, "db")).FullName);

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Starts host <paramref name="index"/> (its own state folder, so its own stable host id) on the shared database.</summary>
    private protected async Task<BotProcess> StartHostAsync(int index, params (string Key, string Value)[] more)
    {
        Dictionary<string, string> settings = BotProcess.Callers(("alice", AliceKey, "member"));
        foreach ((string key, string value) in _backend!.Settings)
        {
            settings[key] = value;
        }

        settings["Executus:Checkpoint:Lease:Duration"] = $"{LeaseDuration.TotalSeconds}s";
        settings["Executus:Checkpoint:Lease:HeartbeatInterval"] = "1s";
        settings["Executus:Checkpoint:Lease:ScanInterval"] = "1s";
        settings["Executus:Schedule:RefreshInterval"] = "1s";
        settings["Executus:Schedule:LeaseDuration"] = "5s";
        settings["Executus:Lanes:recovery:MaxConcurrency"] = "8";
        foreach ((string key, string value) in more)
        {
            settings[key] = value;
        }

        return await BotProcess.StartAsync(Directory.CreateDirectory(Path.Combine(_root, $"host-{index}")).FullName, settings);
    }

    private protected async Task<BotProcess[]> StartHostsAsync(params (string Key, string Value)[] more) =>
        await Task.WhenAll(Enumerable.Range(0, Hosts).Select(i => StartHostAsync(i, more)));

    private protected static async Task DisposeAllAsync(IEnumerable<BotProcess> hosts)
    {
        foreach (BotProcess host in hosts)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Reads audit rows (the shared database's, for alice) through one host's API.</summary>
    private protected static async Task<JsonElement[]> AuditAsync(BotProcess host, string query) =>
        [.. (await host.GetJsonAsync($"/api/audit?{query}&limit=500", AliceKey)).GetProperty("data").EnumerateArray()];

    protected static int Count(JsonElement[] rows, string kind) => rows.Count(r => r.GetProperty("kind").GetString() == kind);

    /// <summary>Polls until <paramref name="done"/> holds (real processes: there is no event to await).</summary>
    protected static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        T value = await read();
        while (!done(value))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(250);
            value = await read();
        }

        return value;
    }

    /// <summary>Starts a slow run on <paramref name="host"/> and returns its id once its tool turn is checkpointed and audited.</summary>
    private protected static async Task<string> StartSlowRunAsync(BotProcess host)
    {
        List<SseEvent> started = await host.ChatAsync("a slow one please", AliceKey, until: e => e.Type == "tool_result");
        string runId = started[0].Get("runId")!;
        await EventuallyAsync(() => AuditAsync(host, $"run={runId}"), rows => Count(rows, "ToolCall") == 1, BotProcess.Patience, $"the tool call of {runId}");
        return runId;
    }
}

/// <summary>Scenario (a): one schedule firing every second, 100 times, across three hosts.</summary>
public abstract class MultiHostScheduleTests : MultiHostTests
{
    [Fact]
    public async Task A_one_second_schedule_fires_each_occurrence_exactly_once_across_three_hosts()
    {
        const int Firings = 100;
        BotProcess[] hosts = await StartHostsAsync(("Executus:Budget:Limits:caller:Tokens", "100000000"));
        try
        {
            JsonElement added = await hosts[0].CommandAsync("/schedule add 1s assistant ping", AliceKey);
            string id = added.GetProperty("data").GetProperty("id").GetString()!;
            string prefix = $"sched-{id}-";
            JsonElement[] started = await EventuallyAsync(
                () => AuditAsync(hosts[1], "kind=RunStarted"),
                rows => rows.Count(r => r.GetProperty("runId").GetString()!.StartsWith(prefix, StringComparison.Ordinal)) >= Firings,
                TimeSpan.FromSeconds(Firings * 2.5),
                $"{Firings} firings");
            await hosts[2].CommandAsync($"/schedule remove {id}", AliceKey);

            string[] runIds = [.. started.Select(r => r.GetProperty("runId").GetString()!).Where(r => r.StartsWith(prefix, StringComparison.Ordinal))];
            // The run id is the schedule plus the occurrence, so an occurrence fired by two hosts would show twice.
            Assert.Equal(runIds.Length, runIds.Distinct(StringComparer.Ordinal).Count());

            // Occurrences are whole seconds inside the window. Why not "every second between the first and the last": the
            // schedule's overlap policy (Skip, the default) drops an occurrence that falls due while the previous firing
            // still runs — on a loaded machine a one-second firing can outlast its second. A skip is not a lost firing.
            DateTime[] occurrences = [.. runIds.Select(r => DateTime.ParseExact(r[prefix.Length..], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).Order()];
            Assert.InRange((occurrences[^1] - occurrences[0]).TotalSeconds + 1, runIds.Length, runIds.Length * 3);

            // Every firing finished and was delivered once, by whichever host ran it.
            JsonElement[] finished = await EventuallyAsync(
                () => AuditAsync(hosts[0], "kind=RunFinished"),
                rows => runIds.All(r => rows.Any(f => f.GetProperty("runId").GetString() == r)),
                BotProcess.Patience,
                "every firing to finish");
            Assert.All(runIds, r => Assert.Single(finished, f => f.GetProperty("runId").GetString() == r));
            int delivered = 0;
            foreach (BotProcess host in hosts)
            {
                delivered += (await host.GetJsonAsync("/api/inbox", AliceKey)).EnumerateArray().Count(i => i.GetProperty("runId").GetString()!.StartsWith(prefix, StringComparison.Ordinal) && runIds.Contains(i.GetProperty("runId").GetString()));
            }

            Assert.Equal(runIds.Length, delivered);
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }
    }
}

/// <summary>Scenarios (b), (c), (d): a shared budget cap, a host killed mid-run, all hosts restarted.</summary>
public abstract class MultiHostRunTests : MultiHostTests
{
    [Fact]
    public async Task Sixty_four_concurrent_runs_over_three_hosts_overspend_one_budget_cap_by_at_most_one_call()
    {
        const long Cap = 50_000;
        BotProcess[] hosts = await StartHostsAsync(
            ("Executus:Budget:Limits:caller:Tokens", Cap.ToString(CultureInfo.InvariantCulture)),
            ("Executus:Budget:Estimate", "Fixed"),
            ("Executus:Budget:FixedEstimateTokens", "8000"),
            ("Executus:Lanes:chat:MaxConcurrency", "16"));
        try
        {
            List<SseEvent>[] chats = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => hosts[i % Hosts].ChatAsync("write an essay", AliceKey))));
            string?[] outcomes = [.. chats.Select(c => c[^1].Get("outcome"))];
            int completed = outcomes.Count(o => o == "Completed");
            Assert.All(outcomes, o => Assert.Contains(o, (string[])["Completed", "BudgetExceeded"]));
            Assert.InRange(completed, 1, 63);

            JsonElement budget = (await hosts[2].GetJsonAsync("/api/budget", AliceKey)).GetProperty("data");
            long spent = budget.GetProperty("tokens").GetInt64();
            long oneCall = spent / completed; // every essay is one model call of the same size
            Assert.True(spent <= Cap + oneCall, $"spent {spent} tokens against a cap of {Cap} (one call: {oneCall}) with {completed} completed runs");
            Assert.True(spent > Cap - (2 * oneCall), $"the cap was not reached: spent {spent} of {Cap}");
            // Why eventually: each host's audit writer stores its events in the background, so a refusal can reach the
            // shared store a little after its chat answered. Lost events time out here; doubled ones fail the equality.
            JsonElement[] refused = await EventuallyAsync(
                () => AuditAsync(hosts[0], "kind=BudgetRefused"),
                rows => Count(rows, "BudgetRefused") >= 64 - completed,
                BotProcess.Patience,
                $"{64 - completed} budget refusals in the audit");
            Assert.Equal(64 - completed, Count(refused, "BudgetRefused"));
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }
    }

    [Fact]
    public async Task A_host_killed_mid_run_has_each_of_its_runs_resumed_exactly_once_by_another_host_within_the_lease_timeout()
    {
        // Host 0's runs wait a minute in their model call (so they are mid-run when it is killed); the others answer fast.
        BotProcess[] hosts = await Task.WhenAll(Enumerable.Range(0, Hosts).Select(i => StartHostAsync(i, ("BotHost:Demo:SlowDelay", i == 0 ? "60s" : "1s"))));
        try
        {
            string[] runIds = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => StartSlowRunAsync(hosts[0])));

            // While the host lives and heartbeats, nobody else takes its runs.
            await Task.Delay(LeaseDuration + TimeSpan.FromSeconds(1));
            Assert.Empty(await AuditAsync(hosts[1], "kind=RunResumed"));

            DateTimeOffset killedAt = DateTimeOffset.UtcNow;
            hosts[0].Kill();
            await hosts[0].WaitForExitAsync(BotProcess.Patience);

            foreach (string runId in runIds)
            {
                JsonElement[] rows = await EventuallyAsync(
                    () => AuditAsync(hosts[1], $"run={runId}"),
                    r => r.Any(e => e.GetProperty("kind").GetString() == "RunFinished"),
                    BotProcess.Patience,
                    $"{runId} to finish on another host");
                Assert.Equal(1, Count(rows, "RunResumed"));
                Assert.Equal(1, Count(rows, "ToolCall")); // the tool turn before the kill is not repeated
                JsonElement finished = Assert.Single(rows, e => e.GetProperty("kind").GetString() == "RunFinished");
                Assert.Equal("Completed", finished.GetProperty("outcome").GetString());
                DateTimeOffset resumedAt = rows.Single(e => e.GetProperty("kind").GetString() == "RunResumed").GetProperty("at").GetDateTimeOffset();
                // The lease expires at most LeaseDuration after the kill; a scan (1 s) takes it; slack for a loaded machine.
                Assert.True(resumedAt - killedAt < LeaseDuration + TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(10), $"{runId} resumed {resumedAt - killedAt} after the kill");
            }

            Assert.Empty((await hosts[2].CommandAsync("/interrupted", AliceKey)).GetProperty("data").EnumerateArray());
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }
    }

    [Fact]
    public async Task Restarting_every_host_resumes_each_interrupted_run_once_and_nothing_twice()
    {
        BotProcess[] hosts = await StartHostsAsync(("BotHost:Demo:SlowDelay", "60s"), ("BotHost:DrainTimeout", "1s"));
        string finishedRun;
        string[] interrupted;
        try
        {
            List<SseEvent> quick = await hosts[0].ChatAsync("hello there", AliceKey);
            Assert.Equal("Completed", quick[^1].Get("outcome"));
            finishedRun = quick[0].Get("runId")!;
            interrupted = await Task.WhenAll(hosts.Select(StartSlowRunAsync));

            foreach (BotProcess host in hosts)
            {
                host.Terminate();
            }

            foreach (BotProcess host in hosts)
            {
                Assert.Equal(0, await host.WaitForExitAsync(BotProcess.Patience));
            }
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }

        // All three come back together (same state folders, so the same host ids) and race for the three runs.
        hosts = await Task.WhenAll(Enumerable.Range(0, Hosts).Select(i => StartHostAsync(i, ("BotHost:Demo:SlowDelay", "1s"))));
        try
        {
            foreach (string runId in interrupted)
            {
                JsonElement[] rows = await EventuallyAsync(
                    () => AuditAsync(hosts[0], $"run={runId}"),
                    r => r.Any(e => e.GetProperty("kind").GetString() == "RunFinished" && e.GetProperty("outcome").GetString() == "Completed"),
                    BotProcess.Patience,
                    $"{runId} to complete after the restart");
                Assert.Equal(1, Count(rows, "RunResumed"));
            }

            Assert.Equal(0, Count(await AuditAsync(hosts[1], $"run={finishedRun}"), "RunResumed"));

            // Restart once more: nothing is left to resume, and nothing is resumed again.
            foreach (BotProcess host in hosts)
            {
                host.Terminate();
            }

            foreach (BotProcess host in hosts)
            {
                Assert.Equal(0, await host.WaitForExitAsync(BotProcess.Patience));
            }
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }

        hosts = await Task.WhenAll(Enumerable.Range(0, Hosts).Select(i => StartHostAsync(i)));
        try
        {
            await Task.Delay(LeaseDuration); // several scan intervals
            Assert.Equal(interrupted.Length, Count(await AuditAsync(hosts[2], "kind=RunResumed"), "RunResumed"));
            Assert.Empty((await hosts[0].CommandAsync("/interrupted", AliceKey)).GetProperty("data").EnumerateArray());
        }
        finally
        {
            await DisposeAllAsync(hosts);
        }
    }
}

public sealed class SqliteMultiHostScheduleTests : MultiHostScheduleTests
{
    protected override Task<MultiHostBackend> CreateBackendAsync(string folder) => Task.FromResult<MultiHostBackend>(new SqliteMultiHostBackend(folder));
}

public sealed class SqliteMultiHostRunTests : MultiHostRunTests
{
    protected override Task<MultiHostBackend> CreateBackendAsync(string folder) => Task.FromResult<MultiHostBackend>(new SqliteMultiHostBackend(folder));
}
