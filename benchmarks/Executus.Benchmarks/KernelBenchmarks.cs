using BenchmarkDotNet.Attributes;
using Executus.Auditing;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// The performance headline: one 10-step tool loop (one small tool per step, then an answer) on a zero-latency
/// model, run by (a) raw M.E.AI FunctionInvokingChatClient, (b) Microsoft Agent Framework's ChatClientAgent,
/// (c) the Executus executor with null ports, (d) the executor with in-memory recording ports.
/// Kernel overhead per step = (executor − FICC) / 10.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Steps = 10;
    private readonly AIFunction _tool = AIFunctionFactory.Create((int i) => i + 1, "step", "Advances the loop.");
    private readonly LoopingChatClient _model = new(Steps);
    private IChatClient _ficc = null!;
    private ChatOptions _ficcOptions = null!;
    private ChatClientAgent _maf = null!;
    private Executor _nullPorts = null!;
    private Executor _recordingPorts = null!;
    private RunnableAgent _agent = null!;

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
    }

    [Benchmark(Baseline = true, Description = "(a) M.E.AI FunctionInvokingChatClient")]
    public async Task<string> RawFunctionInvocation() =>
        (await _ficc.GetResponseAsync([new ChatMessage(ChatRole.User, "go")], _ficcOptions)).Text;

    [Benchmark(Description = "(b) Agent Framework ChatClientAgent")]
    public async Task<string> AgentFramework() => (await _maf.RunAsync("go")).Text;

    [Benchmark(Description = "(c) Executus Executor, null ports")]
    public async Task<string> ExecutorNullPorts() => (await _nullPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "(d) Executus Executor, in-memory ports")]
    public async Task<string> ExecutorRecordingPorts() => (await _recordingPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    /// <summary>A stateless zero-latency model: it calls the tool until the conversation holds <c>steps</c> results, then answers.</summary>
    private sealed class LoopingChatClient(int steps) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            int results = 0;
            foreach (ChatMessage message in messages)
            {
                foreach (AIContent content in message.Contents)
                {
                    if (content is FunctionResultContent)
                    {
                        results++;
                    }
                }
            }

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
