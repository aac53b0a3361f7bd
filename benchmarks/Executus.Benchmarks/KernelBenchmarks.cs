using BenchmarkDotNet.Attributes;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Models;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// The performance headline: one 10-step tool loop (one small tool per step, then an answer) on a zero-latency
/// model, run by (a) raw M.E.AI FunctionInvokingChatClient, (b) Microsoft Agent Framework's ChatClientAgent,
/// (c) the Executus executor with null ports, (d) the executor with in-memory recording ports (they keep the last 10,000
/// things they were told, so much of (d) is the garbage collector's cost of keeping them), (d0) the executor with ports
/// that are called and keep nothing (the kernel's own cost of feeding its ports), (e) the executor with the
/// real Budget + Audit + Checkpoint batteries on their in-memory stores (default options: 2 s checkpoint throttle), and
/// (f) the null-port executor on a 50-step loop, whose time / 50 is compared with (c)'s time / 10 (cost per step must stay
/// flat as the transcript grows). Kernel overhead per step = (executor − FICC) / 10. Targets (issue 21): (c) ≤ 1.0× (a)
/// and ≤ 0.8× (b); (d), (e) ≤ 1.5× (a); (f) per step within 10% of (c) per step.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Steps = 10;
    private const int LongSteps = 50;
    private readonly AIFunction _tool = AIFunctionFactory.Create((int i) => i + 1, "step", "Advances the loop.");
    private readonly LoopingChatClient _model = new(Steps);
    private readonly LoopingChatClient _longModel = new(LongSteps);
    private IChatClient _ficc = null!;
    private ChatOptions _ficcOptions = null!;
    private ChatClientAgent _maf = null!;
    private Executor _nullPorts = null!;
    private Executor _recordingPorts = null!;
    private Executor _noOpPorts = null!;
    private Executor _batteries = null!;
    private Executor _longLoop = null!;
    private AuditWriter _auditWriter = null!;
    private RunnableAgent _agent = null!;
    private RunnableAgent _longAgent = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ficc = _model.AsBuilder().UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = Steps + 2).Build();
        _ficcOptions = new ChatOptions { Tools = [_tool] };
        _maf = new ChatClientAgent(_model, instructions: "Loop.", name: "bench", tools: [_tool]);
        var registry = new ToolRegistry();
        registry.Register(_tool);
        _agent = new RunnableAgent("bench") { Instructions = "Loop.", Tools = ["step"], MaxIterations = Steps + 2 };
        _nullPorts = new Executor(new FixedModelResolver(_model), registry);
        var recorder = new InMemoryPorts();
        _recordingPorts = new Executor(
            new FixedModelResolver(_model),
            registry,
            new RunPorts { Budget = recorder, Audit = recorder, Checkpointer = recorder, Observers = [recorder] });

        var noOp = new NoOpPorts();
        _noOpPorts = new Executor(
            new FixedModelResolver(_model),
            registry,
            new RunPorts { Budget = noOp, Audit = noOp, Checkpointer = noOp, Observers = [noOp] });

        var reference = new ModelReference("bench", "model");
        var budgetOptions = new BudgetOptions();
        budgetOptions.Prices.Set("bench:model", new ModelPrice(1m, 2m));
        budgetOptions.Limits.Add(new BudgetLimit(BudgetScope.Global, null, long.MaxValue / 4, null));
        _auditWriter = new AuditWriter(new InMemoryAuditStore(new AuditRetention(MaxCount: 10_000)));
        _batteries = new Executor(
            new FixedModelResolver(_model, reference),
            registry,
            new RunPorts
            {
                Budget = new LedgerBudget(new InMemoryBudgetStore(), budgetOptions),
                Audit = _auditWriter,
                Checkpointer = new StoreCheckpointer(new InMemoryCheckpointStore()),
            });
        _longAgent = _agent with { MaxIterations = LongSteps + 2 };
        _longLoop = new Executor(new FixedModelResolver(_longModel), registry);
    }

    [GlobalCleanup]
    public void Cleanup() => _auditWriter.Dispose();

    [Benchmark(Baseline = true, Description = "(a) M.E.AI FunctionInvokingChatClient")]
    public async Task<string> RawFunctionInvocation() =>
        (await _ficc.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], _ficcOptions)).Text;

    [Benchmark(Description = "(b) Agent Framework ChatClientAgent")]
    public async Task<string> AgentFramework() => (await _maf.RunAsync("go")).Text;

    [Benchmark(Description = "(c) Executus Executor, null ports")]
    public async Task<string> ExecutorNullPorts() => (await _nullPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "(d) Executus Executor, in-memory ports")]
    public async Task<string> ExecutorRecordingPorts() => (await _recordingPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "(d0) Executus Executor, ports that keep nothing")]
    public async Task<string> ExecutorNoOpPorts() => (await _noOpPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "(e) Executus Executor, Budget + Audit + Checkpoint batteries")]
    public async Task<string> ExecutorBatteries() => (await _batteries.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "(f) Executus Executor, null ports, 50-step loop")]
    public async Task<string> ExecutorLongLoop() => (await _longLoop.RunAsync(new RunRequest(_longAgent, "go"))).Text;

    /// <summary>A stateless zero-latency model: it calls the tool until the conversation holds <c>steps</c> results, then answers.</summary>
    private sealed class LoopingChatClient(int steps) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            // Why: O(1) per call (the last result's call id says how many came before), so the model's own cost stays
            // flat as the transcript grows and (f) measures the loop, not the fake model.
            ChatMessage? last = messages.LastOrDefault();
            int results = last?.Contents.OfType<FunctionResultContent>().LastOrDefault() is { } result
                ? int.Parse(result.CallId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) + 1
                : 0;

            // Why: a fresh response every call — FunctionInvokingChatClient adds the loop's messages to the response it
            // returns, so a shared instance would grow with every run.
            return Task.FromResult(results >= steps
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + results, "step", new Dictionary<string, object?> { ["i"] = results })])));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmark loop is not streamed.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Budget, audit, checkpoint and observer ports that are called and keep nothing: the kernel's own cost of building
    /// what it hands its ports, without (d)'s cost of keeping it alive.
    /// </summary>
    private sealed class NoOpPorts : IBudget, IAudit, ICheckpointer, IRunObserver
    {
        private static readonly BudgetDecision Granted = BudgetDecision.Grant("r");

        public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) => ValueTask.FromResult(Granted);

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => default;

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => default;

        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => default;

        public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default) => default;

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => default;

        public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default) => default;

        public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default) => default;
    }

    /// <summary>Budget, audit, checkpoint and observer ports that keep what they are told in memory (bounded).</summary>
    private sealed class InMemoryPorts : IBudget, IAudit, ICheckpointer, IRunObserver
    {
        private readonly List<object> _log = [];

        public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) => Keep(check, BudgetDecision.Grant("r"));

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => Keep(charge);

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => Keep(reservation);

        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => Keep(auditEvent);

        public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default) => Keep(checkpoint);

        public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => Keep(runId);

        public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default) => Keep(runId);

        public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default) => Keep(runEvent);

        private ValueTask Keep(object item)
        {
            Add(item);
            return ValueTask.CompletedTask;
        }

        private ValueTask<T> Keep<T>(object item, T answer)
        {
            Add(item);
            return ValueTask.FromResult(answer);
        }

        private void Add(object item)
        {
            lock (_log)
            {
                if (_log.Count > 10_000)
                {
                    _log.Clear();
                }

                _log.Add(item);
            }
        }
    }
}
