using BenchmarkDotNet.Attributes;
using Executus.Compaction;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// Compaction of a 10,000-message agent history (system, first user message, then turns of a tool call, its result,
/// an assistant note and a user nudge) with no meta model: the deterministic evict-then-truncate path.
/// </summary>
[MemoryDiagnoser]
public class CompactionBenchmarks
{
    private readonly TokenBudgetCompactor _compactor = new(new CompactionOptions { ContextWindowTokens = 128_000 });
    private List<ChatMessage> _history = [];

    [GlobalSetup]
    public void Setup()
    {
        _history =
        [
            new(ChatRole.System, "You are a careful agent."),
            new(ChatRole.User, "Original task: fix the build."),
        ];
        for (int i = 0; _history.Count < 10_000; i++)
        {
            string callId = $"call_{i}";
            _history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, "read_file", new Dictionary<string, object?> { ["path"] = $"src/f{i}.cs" })]));
            _history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, new string('r', 600))]));
            _history.Add(new ChatMessage(ChatRole.Assistant, $"step {i}: " + new string('a', 200)));
            _history.Add(new ChatMessage(ChatRole.User, $"continue {i}"));
        }
    }

    /// <summary>About 650,000 estimated tokens compacted to half of a 128k window.</summary>
    [Benchmark]
    public int Compact10kMessages() => _compactor.CompactAsync(_history).AsTask().GetAwaiter().GetResult().Messages.Count;
}
