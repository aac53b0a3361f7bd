using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Contrib.PostgreSql;
using Executus.Contrib.Sqlite;
using Executus.Identity;
using Executus.Runs;
using Executus.Schedules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Executus.Benchmarks;

/// <summary>
/// The PostgreSQL stores on a loopback server, side by side with the SQLite ones in the same run (issue 18): a durable
/// step (checkpoint save of one turn + 3 audit events) on each; schedule-firing claims (lease + compare-and-set of the
/// next fire time) and run-lease take-overs by 4 hosts at once; budget reserve + settle by 8 concurrent callers on one cap.
/// </summary>
/// <remarks>
/// The server is EXECUTUS_TEST_POSTGRES when set, otherwise a throwaway cluster started with <c>.ci/pg.sh</c> with
/// <c>PG_FSYNC=on</c> (so PostgreSQL commits are flushed as in production) and removed at the end. Each run uses its
/// own schema. PostgreSQL commits are durable against an OS crash (fsync per commit); SQLite's WAL with
/// <c>synchronous=NORMAL</c> is durable against a killed process only — the comparison is of each store as shipped.
/// </remarks>
[MemoryDiagnoser]
public class PostgreSqlBenchmarks
{
    private const int TurnsPerRun = 20;
    private const int Hosts = 4;
    private const int ClaimsPerHost = 25;
    private const int Callers = 8;
    private const int PerCaller = 25;
    private const int LeasedRuns = 100;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private string? _clusterFolder;
    private string _adminConnectionString = null!;
    private string _schema = null!;
    private readonly List<PostgreSqlDatabase> _databases = [];
    private PostgreSqlCheckpointStore _pgCheckpoints = null!;
    private PostgreSqlAuditStore _pgAudit = null!;
    private PostgreSqlBudgetStore _pgBudget = null!;
    private PostgreSqlScheduleStore[] _hosts = null!;
    private PostgreSqlCheckpointStore[] _leaseHosts = null!;
    private long _leaseRound;
    private string _sqliteFolder = null!;
    private SqliteCheckpointStore _sqliteCheckpoints = null!;
    private SqliteAuditStore _sqliteAudit = null!;
    private RunCheckpoint[] _turns = null!;
    private long _step;
    private long _ids;

    [GlobalSetup]
    public void Setup()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("EXECUTUS_TEST_POSTGRES") is { Length: > 0 } given ? given : StartCluster();
        _schema = "bench_" + Guid.NewGuid().ToString("N");
        using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE SCHEMA {_schema};", admin);
            create.ExecuteNonQuery();
        }

        PostgreSqlDatabase main = Host();
        main.MigrateAsync().GetAwaiter().GetResult();
        _pgCheckpoints = new PostgreSqlCheckpointStore(main);
        _pgAudit = new PostgreSqlAuditStore(main, AuditRetention.Unbounded);
        _pgBudget = new PostgreSqlBudgetStore(main);
        _hosts = [.. Enumerable.Range(0, Hosts).Select(_ => new PostgreSqlScheduleStore(Host()))];

        _sqliteFolder = Path.Combine(Path.GetTempPath(), "executus-pg-bench-sqlite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_sqliteFolder);
        var sqlite = new SqliteDatabase($"Data Source={Path.Combine(_sqliteFolder, "bench.db")}");
        sqlite.MigrateAsync().AsTask().GetAwaiter().GetResult();
        _sqliteCheckpoints = new SqliteCheckpointStore(sqlite);
        _sqliteAudit = new SqliteAuditStore(sqlite, AuditRetention.Unbounded);

        // A run's turns: each adds an assistant tool call and its result (two messages) to the transcript.
        var messages = new List<ChatMessage> { new(ChatRole.User, "Count to twenty, one tool call at a time.") };
        _turns = new RunCheckpoint[TurnsPerRun];
        for (int i = 0; i < TurnsPerRun; i++)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{i}", "step", new Dictionary<string, object?> { ["i"] = i })]));
            messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{i}", i + 1)]));
            _turns[i] = new RunCheckpoint
            {
                RunId = "r",
                Agent = new AgentSnapshot { Name = "bench" },
                Caller = new CallerIdentity("alice", "Alice", "acme"),
                Messages = [.. messages],
                Iteration = i + 1,
                SavedAt = T0.AddSeconds(i),
            };
        }

        _leaseHosts = [.. Enumerable.Range(0, Hosts).Select(_ => new PostgreSqlCheckpointStore(Host()))];
        for (int i = 0; i < LeasedRuns; i++)
        {
            _pgCheckpoints.SaveAsync(_turns[0] with { RunId = $"leased-{i:D3}" }, 0).AsTask().GetAwaiter().GetResult();
        }

        for (int i = 0; i < Hosts * ClaimsPerHost; i++)
        {
            _hosts[0].SaveAsync(new Schedule("s" + i, "* * * * *", ScheduleTarget.ForAgent("bench", "tick")) { NextFireAt = T0 }).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (PostgreSqlDatabase database in _databases)
        {
            database.Dispose();
        }

        using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            admin.Open();
            using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE;", admin);
            drop.ExecuteNonQuery();
        }

        if (_clusterFolder is not null)
        {
            Bash("stop", _clusterFolder);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_sqliteFolder, recursive: true);
    }

    /// <summary>One durable step on SQLite (WAL file): the turn's checkpoint (two new messages + head) and 3 audit events.</summary>
    [Benchmark(Baseline = true)]
    public async Task DurableStepSqlite()
    {
        long step = _step++;
        RunCheckpoint checkpoint = _turns[(int)(step % TurnsPerRun)] with { RunId = "run-" + (step / TurnsPerRun) };
        await _sqliteCheckpoints.SaveAsync(checkpoint, checkpoint.Messages.Count - 2);
        await _sqliteAudit.AppendAsync([Record("a" + _ids++), Record("a" + _ids++), Record("a" + _ids++)]);
    }

    /// <summary>The same durable step on loopback PostgreSQL.</summary>
    [Benchmark]
    public async Task DurableStepPostgreSql()
    {
        long step = _step++;
        RunCheckpoint checkpoint = _turns[(int)(step % TurnsPerRun)] with { RunId = "run-" + (step / TurnsPerRun) };
        await _pgCheckpoints.SaveAsync(checkpoint, checkpoint.Messages.Count - 2);
        await _pgAudit.AppendAsync([Record("a" + _ids++), Record("a" + _ids++), Record("a" + _ids++)]);
    }

    /// <summary>
    /// Schedule-firing claims by 4 hosts at once, each on its own schedules: take the lease, compare-and-set the next fire
    /// time, release the lease (what <c>ScheduleRunner</c> does per firing); per-claim time (claims/s = 1 / it).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Hosts * ClaimsPerHost)]
    public async Task ScheduleClaim4Hosts()
    {
        long round = _step++;
        await Task.WhenAll(_hosts.Select((store, host) => Task.Run(async () =>
        {
            for (int i = 0; i < ClaimsPerHost; i++)
            {
                string id = "s" + ((host * ClaimsPerHost) + i);
                DateTimeOffset now = T0.AddMinutes(round);
                ScheduleLease lease = await store.TryAcquireLeaseAsync(id, "host-" + host, now, TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("lease refused");
                Schedule schedule = (await store.GetAsync(id))!;
                await store.AdvanceAsync(id, schedule.NextFireAt, schedule.NextFireAt!.Value.AddMinutes(1), schedule.NextFireAt);
                await store.ReleaseLeaseAsync(lease);
            }
        })));
    }

    /// <summary>
    /// Run-lease claims: 4 hosts at once take over 100 interrupted runs whose leases expired (<c>ClaimInterruptedAsync</c>,
    /// 10 per call, <c>FOR UPDATE SKIP LOCKED</c>); per-run time (claims/s = 1 / it).
    /// </summary>
    [Benchmark(OperationsPerInvoke = LeasedRuns)]
    public async Task RunLeaseClaim4Hosts()
    {
        // Every round is 10 minutes after the last, so all the previous round's 1-minute leases have expired.
        DateTimeOffset now = T0.AddMinutes(10 * ++_leaseRound);
        int[] counts = await Task.WhenAll(_leaseHosts.Select((store, host) => Task.Run(async () =>
        {
            int mine = 0;
            while (true)
            {
                int got = (await store.ClaimInterruptedAsync("host-" + host, now, TimeSpan.FromMinutes(1), 10)).Count;
                if (got == 0)
                {
                    return mine;
                }

                mine += got;
            }
        })));
        if (counts.Sum() != LeasedRuns)
        {
            throw new InvalidOperationException($"claimed {counts.Sum()} of {LeasedRuns} runs");
        }
    }

    /// <summary>Budget reserve + settle by 8 concurrent callers on one shared cap (row-locked accounts); per-call time.</summary>
    [Benchmark(OperationsPerInvoke = Callers * PerCaller)]
    public async Task BudgetReserveAndSettle8Callers()
    {
        long batch = _step++;
        BudgetScopeLimit[] limits = [new(BudgetScopeKey.Global, MaxTokens: long.MaxValue / 4), new(BudgetScopeKey.Tenant("acme"), MaxTokens: long.MaxValue / 4)];
        BudgetScopeKey[] accounts = [BudgetScopeKey.Global, BudgetScopeKey.Tenant("acme")];
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (int i = 0; i < PerCaller; i++)
            {
                string id = $"{batch}-{c}-{i}";
                DateTimeOffset now = T0.AddMilliseconds(batch);
                await _pgBudget.TryReserveAsync(new BudgetReservationRequest(id, limits, new BudgetAmount(100, 0.001m), now, TimeSpan.FromDays(7), now.AddMinutes(10)));
                await _pgBudget.SettleAsync(id, new BudgetLedgerEntry(id, now, accounts, new BudgetAmount(90, 0.0009m)));
            }
        })));
    }

    private PostgreSqlDatabase Host()
    {
        var database = new PostgreSqlDatabase(new NpgsqlConnectionStringBuilder(_adminConnectionString) { SearchPath = _schema }.ConnectionString);
        _databases.Add(database);
        return database;
    }

    private string StartCluster()
    {
        _clusterFolder = Path.Combine(Path.GetTempPath(), "executus-pg-bench-" + Guid.NewGuid().ToString("N")[..12]);
        string output = Bash("start", _clusterFolder);
        const string prefix = "export EXECUTUS_TEST_POSTGRES='";
        string line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($".ci/pg.sh printed no connection string: {output}");
        return line[prefix.Length..^1];
    }

    private static string Bash(string command, string folder)
    {
        string? root = null;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null && root is null; dir = dir.Parent)
        {
            root = File.Exists(Path.Combine(dir.FullName, "Executus.sln")) ? dir.FullName : null;
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root ?? throw new InvalidOperationException("No Executus.sln above the benchmark: cannot find .ci/pg.sh."), ".ci", "pg.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(folder);
        start.Environment["PG_FSYNC"] = "on";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($".ci/pg.sh {command} failed: {error.Result}");
    }

    private static AuditRecord Record(string id) => new(id, new AuditEvent(AuditEventKind.ToolCall, T0)
    {
        RunId = "run-1",
        AgentName = "bench",
        Caller = new CallerIdentity("alice", "Alice", "acme"),
        ToolName = "step",
        Iteration = 3,
        Data = new Dictionary<string, string> { ["duration_ms"] = "1" },
    }, T0);
}
