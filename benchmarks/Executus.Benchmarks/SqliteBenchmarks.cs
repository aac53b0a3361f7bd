using BenchmarkDotNet.Attributes;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Contrib.Sqlite;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// The SQLite stores on a real file in WAL mode (issue 16's targets): a durable step (checkpoint save of one turn + 3
/// audit events) ≤ 2 ms; audit batched insert ≥ 50k events/s; a checkpoint save ≥ 0.7× the throughput of a raw
/// Microsoft.Data.Sqlite insert of the same bytes; budget reserve + settle with 8 concurrent callers.
/// </summary>
[MemoryDiagnoser]
public class SqliteBenchmarks
{
    private const int AuditBatch = 1000;
    private const int Callers = 8;
    private const int PerCaller = 25;
    private const int TurnsPerRun = 20;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private string _folder = null!;
    private SqliteDatabase _database = null!;
    private SqliteCheckpointStore _checkpoints = null!;
    private SqliteAuditStore _audit = null!;
    private SqliteBudgetStore _budget = null!;
    private RunCheckpoint[] _turns = null!;
    private string[] _turnHeads = null!;
    private string[][] _turnMessages = null!;
    private AuditRecord[] _batch = null!;
    private long _step;
    private long _ids;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "executus-sqlite-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _database = new SqliteDatabase($"Data Source={Path.Combine(_folder, "bench.db")}");
        _database.MigrateAsync().AsTask().GetAwaiter().GetResult();
        _checkpoints = new SqliteCheckpointStore(_database);
        _audit = new SqliteAuditStore(_database, AuditRetention.Unbounded);
        _budget = new SqliteBudgetStore(_database);

        // A run's turns: each adds an assistant tool call and its result (two messages) to the transcript.
        var messages = new List<ChatMessage> { new(ChatRole.User, "Count to twenty, one tool call at a time.") };
        _turns = new RunCheckpoint[TurnsPerRun];
        _turnHeads = new string[TurnsPerRun];
        _turnMessages = new string[TurnsPerRun][];
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
            _turnHeads[i] = System.Text.Json.JsonSerializer.Serialize(_turns[i] with { Messages = [] }, AIJsonUtilities.DefaultOptions);
            _turnMessages[i] = [.. messages.Skip(messages.Count - 2).Select(m => System.Text.Json.JsonSerializer.Serialize(m, AIJsonUtilities.DefaultOptions))];
        }

        _batch = [.. Enumerable.Range(0, AuditBatch).Select(i => Record(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)))];
        using SqliteConnection connection = Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS raw_messages (run_id TEXT NOT NULL, seq INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID; CREATE TABLE IF NOT EXISTS raw_heads (run_id TEXT NOT NULL PRIMARY KEY, head TEXT NOT NULL);";
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One durable step: the turn's checkpoint (two new messages + head) and 3 audit events. Target ≤ 2 ms.</summary>
    [Benchmark]
    public async Task DurableStep()
    {
        long step = _step++;
        int turn = (int)(step % TurnsPerRun);
        RunCheckpoint checkpoint = _turns[turn] with { RunId = "run-" + (step / TurnsPerRun) };
        await _checkpoints.SaveAsync(checkpoint, checkpoint.Messages.Count - 2);
        await _audit.AppendAsync([Record("a" + _ids++), Record("a" + _ids++), Record("a" + _ids++)]);
    }

    /// <summary>Audit batched insert: 1,000 events in one append (events/s = 1 / the reported per-event time). Target ≥ 50k/s.</summary>
    [Benchmark(OperationsPerInvoke = AuditBatch)]
    public async Task AuditBatchedInsert()
    {
        string prefix = "b" + _step++ + "-";
        AuditRecord[] batch = new AuditRecord[AuditBatch];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = new AuditRecord(prefix + i, _batch[i].Event, _batch[i].WrittenAt);
        }

        await _audit.AppendAsync(batch);
    }

    /// <summary>A checkpoint save of one turn through the store (serialization included).</summary>
    [Benchmark]
    public async Task CheckpointSave()
    {
        long step = _step++;
        int turn = (int)(step % TurnsPerRun);
        RunCheckpoint checkpoint = _turns[turn] with { RunId = "save-" + (step / TurnsPerRun) };
        await _checkpoints.SaveAsync(checkpoint, checkpoint.Messages.Count - 2);
    }

    /// <summary>The same bytes as <see cref="CheckpointSave"/> written raw: two message rows + a head upsert in one transaction. Target: CheckpointSave ≥ 0.7× this throughput.</summary>
    [Benchmark(Baseline = true)]
    public void RawInsertOfTheSameBytes()
    {
        long step = _step++;
        int turn = (int)(step % TurnsPerRun);
        string run = "raw-" + (step / TurnsPerRun);
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        using (SqliteCommand insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO raw_messages (run_id, seq, message) VALUES ($run, $seq, $message);";
            insert.Parameters.AddWithValue("$run", run);
            SqliteParameter seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            SqliteParameter message = insert.Parameters.Add("$message", SqliteType.Text);
            for (int i = 0; i < 2; i++)
            {
                seq.Value = (turn * 2) + 1 + i;
                message.Value = _turnMessages[turn][i];
                insert.ExecuteNonQuery();
            }
        }

        using (SqliteCommand head = connection.CreateCommand())
        {
            head.CommandText = "INSERT INTO raw_heads (run_id, head) VALUES ($run, $head) ON CONFLICT (run_id) DO UPDATE SET head = excluded.head;";
            head.Parameters.AddWithValue("$run", run);
            head.Parameters.AddWithValue("$head", _turnHeads[turn]);
            head.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Budget check + record (reserve then settle) by 8 concurrent callers on one cap; per-call time.</summary>
    [Benchmark(OperationsPerInvoke = Callers * PerCaller)]
    public async Task BudgetCheckAndRecord8Callers()
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
                await _budget.TryReserveAsync(new BudgetReservationRequest(id, limits, new BudgetAmount(100, 0.001m), now, TimeSpan.FromDays(7), now.AddMinutes(10)));
                await _budget.SettleAsync(id, new BudgetLedgerEntry(id, now, accounts, new BudgetAmount(90, 0.0009m)));
            }
        })));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using SqliteCommand pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
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
