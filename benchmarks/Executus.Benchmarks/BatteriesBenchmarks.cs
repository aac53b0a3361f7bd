using BenchmarkDotNet.Attributes;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Identity;
using Executus.Models;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// The Budget and Audit batteries: (1) one budget check + settle pair with 10,000 ledger entries in the window
/// (target &lt; 5 µs); (2) audit writer throughput into the in-memory store, per event (target ≥ 500k events/s, i.e.
/// ≤ 2 µs per event); (3) the 10-step kernel loop with both batteries vs null ports (target ≤ 1.3×). Two more kernel
/// rows show the floor under that target: the same loop with a budget that grants at once and an audit that only counts
/// (what the kernel spends handing the two ports their calls), and with <see cref="MinimalBudget"/> and
/// <see cref="MinimalAudit"/> (the least the budget and audit must do, without the batteries' other features).
/// </summary>
[MemoryDiagnoser]
public class BatteriesBenchmarks
{
    private const int Steps = 10;
    private const int AuditEvents = 100_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly CallerIdentity Caller = new CallerIdentity("alice", "Alice").WithTenant("acme");
    private static readonly UsageDetails CallUsage = new() { InputTokenCount = 60, OutputTokenCount = 40, TotalTokenCount = 100 };

    private readonly AIFunction _tool = AIFunctionFactory.Create((int i) => i + 1, "step", "Advances the loop.");
    private LedgerBudget _budget = null!;
    private BudgetCheck _check = null!;
    private SteppingTimeProvider _time = null!;
    private AuditEvent[] _events = null!;
    private Executor _nullPorts = null!;
    private Executor _batteries = null!;
    private Executor _portsThatKeepNothing = null!;
    private Executor _minimalPorts = null!;
    private AuditWriter _kernelWriter = null!;
    private RunnableAgent _agent = null!;
    private int _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _time = new SteppingTimeProvider(T0);
        var store = new InMemoryBudgetStore();
        var options = new BudgetOptions { Window = TimeSpan.FromDays(7), Estimate = BudgetEstimateMode.Fixed, FixedEstimateTokens = 100 };
        options.Prices.Set("bench:model", new ModelPrice(1m, 2m));
        options.Limits.Add(new BudgetLimit(BudgetScope.Global, null, long.MaxValue / 4, 1_000_000_000m));
        options.Limits.Add(new BudgetLimit(BudgetScope.Tenant, null, long.MaxValue / 4, 1_000_000_000m));
        options.Limits.Add(new BudgetLimit(BudgetScope.Caller, null, long.MaxValue / 4, 1_000_000_000m));
        _budget = new LedgerBudget(store, options, _time);
        BudgetScopeKey[] keys = [BudgetScopeKey.Global, BudgetScopeKey.Tenant("acme"), BudgetScopeKey.Caller("alice"), BudgetScopeKey.Agent("bench")];
        for (int i = 0; i < 10_000; i++)
        {
            // 10k entries spread over the last 6 days: all inside the window.
            store.RecordAsync(new BudgetLedgerEntry($"seed{i}", T0.AddSeconds(i * 50), keys, new BudgetAmount(100, 0.0001m))).AsTask().GetAwaiter().GetResult();
        }

        _time.Set(T0.AddDays(6));
        _check = new BudgetCheck { RunId = "bench-run", AgentName = "bench", Caller = Caller, Model = "bench:model", Iteration = 1, EstimatedInputTokens = 60, MaxOutputTokens = 40 };

        _events = [.. Enumerable.Range(0, AuditEvents).Select(i => new AuditEvent(AuditEventKind.ToolCall, T0.AddMilliseconds(i))
        {
            RunId = "run-" + (i / 20),
            AgentName = "bench",
            Caller = Caller,
            ToolName = "step",
            Data = new Dictionary<string, string> { ["duration_ms"] = "1" },
        })];

        var registry = new ToolRegistry();
        registry.Register(_tool);
        _agent = new RunnableAgent("bench") { Instructions = "Loop.", Tools = ["step"], MaxIterations = Steps + 2 };
        var model = new LoopingChatClient(Steps);
        var reference = new ModelReference("bench", "model");
        _nullPorts = new Executor(new FixedModelResolver(model, reference), registry);
        var kernelBudgetOptions = new BudgetOptions();
        kernelBudgetOptions.Prices.Set("bench:model", new ModelPrice(1m, 2m));
        kernelBudgetOptions.Limits.Add(new BudgetLimit(BudgetScope.Caller, null, long.MaxValue / 4, null));
        _kernelWriter = new AuditWriter(new InMemoryAuditStore(new AuditRetention(MaxCount: 10_000)));
        _batteries = new Executor(
            new FixedModelResolver(model, reference),
            registry,
            new RunPorts { Budget = new LedgerBudget(new InMemoryBudgetStore(), kernelBudgetOptions), Audit = _kernelWriter });
        _portsThatKeepNothing = new Executor(
            new FixedModelResolver(model, reference),
            registry,
            new RunPorts { Budget = new GrantingBudget(), Audit = new CountingAudit() });
        _minimalPorts = new Executor(
            new FixedModelResolver(model, reference),
            registry,
            new RunPorts { Budget = new MinimalBudget(), Audit = new MinimalAudit() });
    }

    [GlobalCleanup]
    public void Cleanup() => _kernelWriter.Dispose();

    [Benchmark(Description = "Budget check + settle, 10k ledger entries in the window")]
    public async Task BudgetCheckAndSettle()
    {
        _time.Step(TimeSpan.FromMilliseconds(1));
        BudgetCheck check = _check with { Iteration = ++_iteration };
        BudgetDecision decision = await _budget.CheckAsync(check);
        await _budget.SettleAsync(new BudgetCharge(new BudgetReservation(check, decision.ReservationId), CallUsage));
    }

    [Benchmark(Description = "Audit writer into the in-memory store, per event", OperationsPerInvoke = AuditEvents)]
    public async Task AuditWriterThroughput()
    {
        await using var writer = new AuditWriter(new InMemoryAuditStore(AuditRetention.Unbounded), new AuditWriterOptions { Capacity = 16_384, BatchSize = 512 });
        foreach (AuditEvent auditEvent in _events)
        {
            await writer.RecordAsync(auditEvent);
        }

        await writer.FlushAsync();
    }

    [Benchmark(Baseline = true, Description = "Kernel 10-step loop, null ports")]
    public async Task<string> KernelNullPorts() => (await _nullPorts.RunAsync(new RunRequest(_agent, "go") { Caller = Caller })).Text;

    [Benchmark(Description = "Kernel 10-step loop, Budget + Audit batteries")]
    public async Task<string> KernelWithBatteries() => (await _batteries.RunAsync(new RunRequest(_agent, "go") { Caller = Caller })).Text;

    [Benchmark(Description = "Kernel 10-step loop, a budget that grants at once + an audit that counts")]
    public async Task<string> KernelWithPortsThatKeepNothing() => (await _portsThatKeepNothing.RunAsync(new RunRequest(_agent, "go") { Caller = Caller })).Text;

    [Benchmark(Description = "Kernel 10-step loop, minimal budget + audit (the floor)")]
    public async Task<string> KernelWithMinimalPorts() => (await _minimalPorts.RunAsync(new RunRequest(_agent, "go") { Caller = Caller })).Text;

    /// <summary>A budget that grants every call at once and keeps nothing.</summary>
    private sealed class GrantingBudget : IBudget
    {
        private static readonly BudgetDecision Granted = BudgetDecision.Grant("r");

        public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) => ValueTask.FromResult(Granted);

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => default;

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => default;
    }

    /// <summary>An audit that only counts what it is told.</summary>
    private sealed class CountingAudit : IAudit
    {
        private long _count;

        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return default;
        }
    }

    /// <summary>A clock the benchmark moves by hand.</summary>
    private sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Set(DateTimeOffset now) => _now = now;

        public void Step(TimeSpan by) => _now += by;
    }

    /// <summary>A stateless zero-latency model: it calls the tool until the conversation holds <c>steps</c> results, then answers.</summary>
    private sealed class LoopingChatClient(int steps) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            int results = messages.Sum(m => m.Contents.Count(c => c is FunctionResultContent));
            ChatResponse response = results >= steps
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + results, "step", new Dictionary<string, object?> { ["i"] = results })]));
            response.Usage = new UsageDetails { InputTokenCount = 60, OutputTokenCount = 40, TotalTokenCount = 100 };
            return Task.FromResult(response);
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmark loop is not streamed.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
