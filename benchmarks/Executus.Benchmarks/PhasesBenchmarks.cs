using BenchmarkDotNet.Attributes;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// Phased runs (issue 25) on KernelBenchmarks' zero-latency 10-step tool loop with null ports: the phase-less agent
/// (the baseline, which must stay where KernelBenchmarks' row (c) is: phases cost nothing when unused), the same loop
/// as one phase ending by an answer, and as two phases (5 steps, <c>finish_phase</c>, 5 steps, answer).
/// </summary>
[MemoryDiagnoser]
public class PhasesBenchmarks
{
    private const int Steps = 10;
    private Executor _executor = null!;
    private RunnableAgent _phaseLess = null!;
    private RunnableAgent _onePhase = null!;
    private RunnableAgent _twoPhases = null!;

    [GlobalSetup]
    public void Setup()
    {
        var registry = new ToolRegistry();
        registry.Register(AIFunctionFactory.Create((int i) => i + 1, "step", "Advances the loop."));
        _executor = new Executor(new FixedModelResolver(new PhasedLoopClient(Steps)), registry);
        _phaseLess = new RunnableAgent("bench") { Instructions = "Loop.", Tools = ["step"], MaxIterations = Steps + 4 };
        _onePhase = _phaseLess with { Phases = [new AgentPhase("work") { CompletesWhen = PhaseCompletion.Answer }] };
        _twoPhases = _phaseLess with
        {
            Phases = [new AgentPhase("first") { MaxIterations = Steps }, new AgentPhase("second") { CompletesWhen = PhaseCompletion.Answer }],
        };
    }

    [Benchmark(Baseline = true, Description = "phase-less agent")]
    public async Task<string> PhaseLess() => (await _executor.RunAsync(new RunRequest(_phaseLess, "go"))).Text;

    [Benchmark(Description = "one phase (ends by answer)")]
    public async Task<string> OnePhase() => (await _executor.RunAsync(new RunRequest(_onePhase, "go"))).Text;

    [Benchmark(Description = "two phases (finish_phase between)")]
    public async Task<string> TwoPhases() => (await _executor.RunAsync(new RunRequest(_twoPhases, "go"))).Text;

    /// <summary>Calls <c>step</c> until <paramref name="steps"/> results; halfway, calls <c>finish_phase</c> when it is offered.</summary>
    private sealed class PhasedLoopClient(int steps) : IChatClient
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

            bool finishOffered = options?.Tools?.Any(t => t.Name == AgentPhase.FinishPhaseToolName) == true;
            ChatMessage answer = !finishOffered && results >= steps
                ? new ChatMessage(ChatRole.Assistant, "done")
                : finishOffered && results == steps / 2
                    ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("f", AgentPhase.FinishPhaseToolName)])
                    : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + results, "step", new Dictionary<string, object?> { ["i"] = results })]);
            return Task.FromResult(new ChatResponse(answer));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmark loop is not streamed.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
