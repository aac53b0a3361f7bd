using BenchmarkDotNet.Attributes;
using Executus.Checkpoints;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// The Checkpoint battery's cost on the kernel: the 10-step tool loop of <see cref="KernelBenchmarks"/> run with null
/// ports (baseline) and with <see cref="StoreCheckpointer"/> on <see cref="InMemoryCheckpointStore"/>, throttled by the
/// default 2 s interval (one write per run plus the delete) and unthrottled (every turn serialized and written).
/// Target: throttled ≤ 1.2× null ports.
/// </summary>
[MemoryDiagnoser]
public class CheckpointBenchmarks
{
    private const int Steps = 10;
    private Executor _nullPorts = null!;
    private Executor _throttled = null!;
    private Executor _everyTurn = null!;
    private RunnableAgent _agent = null!;

    [GlobalSetup]
    public void Setup()
    {
        var model = new StepModel(Steps);
        var registry = new ToolRegistry();
        registry.Register(AIFunctionFactory.Create((int i) => i + 1, "step", "Advances the loop."));
        _agent = new RunnableAgent("bench") { Instructions = "Loop.", Tools = ["step"], MaxIterations = Steps + 2 };
        _nullPorts = new Executor(new FixedModelResolver(model), registry);
        _throttled = new Executor(
            new FixedModelResolver(model),
            registry,
            new RunPorts { Checkpointer = new StoreCheckpointer(new InMemoryCheckpointStore()) });
        _everyTurn = new Executor(
            new FixedModelResolver(model),
            registry,
            new RunPorts { Checkpointer = new StoreCheckpointer(new InMemoryCheckpointStore(), new CheckpointOptions { MinInterval = TimeSpan.Zero }) });
    }

    [Benchmark(Baseline = true, Description = "Executor, null ports")]
    public async Task<string> NullPorts() => (await _nullPorts.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "Executor, checkpoint handle (in-memory store, 2 s throttle)")]
    public async Task<string> Throttled() => (await _throttled.RunAsync(new RunRequest(_agent, "go"))).Text;

    [Benchmark(Description = "Executor, checkpoint handle (in-memory store, every turn)")]
    public async Task<string> EveryTurn() => (await _everyTurn.RunAsync(new RunRequest(_agent, "go"))).Text;

    /// <summary>A stateless zero-latency model: it calls the tool until the conversation holds <c>steps</c> results, then answers.</summary>
    private sealed class StepModel(int steps) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            int results = messages.Count(m => m.Role == ChatRole.Tool);
            return Task.FromResult(results >= steps
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "done"))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + results, "step", new Dictionary<string, object?> { ["i"] = results })])));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
