using BenchmarkDotNet.Attributes;
using Executus.Compaction;
using Executus.Tokenizers;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// Compaction of the four transcript shapes of issue 19 (window 128k, target 64k, no meta model), counted with the
/// estimate and with the real o200k tokenizer: a 200-turn chat; a 300-iteration tool loop with parallel calls and
/// 200 KB results; system messages mid-transcript; a 400 KB first user message.
/// </summary>
[MemoryDiagnoser]
public class CompactionShapeBenchmarks
{
    private TokenBudgetCompactor _compactor = null!;
    private List<ChatMessage> _history = [];

    /// <summary>Gets or sets the transcript shape.</summary>
    [Params("Chat200", "ToolLoop300", "SystemMidTranscript", "HugeFirstUser")]
    public string Shape { get; set; } = "Chat200";

    /// <summary>Gets or sets the token counter: the estimate or o200k.</summary>
    [Params("estimate", "o200k")]
    public string Counter { get; set; } = "estimate";

    [GlobalSetup]
    public void Setup()
    {
        ITokenCounter counter = Counter == "o200k" ? TiktokenTokenCounter.ForEncoding(TokenizerEncodings.O200kBase) : EstimatingTokenCounter.Instance;
        _compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 128_000 }, counter);
        _history = Shape switch
        {
            "Chat200" => Chat(200),
            "ToolLoop300" => ToolLoop(300),
            "SystemMidTranscript" => SystemMid(),
            _ => HugeFirstUser(),
        };
    }

    /// <summary>One compaction of the shape; returns the messages kept.</summary>
    [Benchmark]
    public int Compact() => _compactor.CompactAsync(_history).AsTask().GetAwaiter().GetResult().Messages.Count;

    private static string Prose(int i, int chars)
    {
        const string Sentence = "The build failed because the cache key changed after the dependency bump; rerun with a clean restore. ";
        return string.Concat(Enumerable.Repeat(Sentence, (chars / Sentence.Length) + 1))[..chars] + i;
    }

    private static List<ChatMessage> Chat(int turns)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, "Help me plan a migration.") };
        for (int i = 0; i < turns; i++)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, Prose(i, 1_600)));
            messages.Add(new ChatMessage(ChatRole.User, Prose(i, 300)));
        }

        return messages;
    }

    private static List<ChatMessage> ToolLoop(int iterations)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a careful agent."), new(ChatRole.User, "Find every caller of Parse.") };
        string big = "{\"lines\":[" + string.Join(',', Enumerable.Range(0, 10_000).Select(n => $"\"src/F{n}.cs:{n}: var x = Parse(y{n});\"")) + "]}";
        big = big.Length > 200_000 ? big[..200_000] : big;
        for (int i = 0; i < iterations; i++)
        {
            var calls = new List<AIContent>();
            var results = new List<AIContent>();
            for (int p = 0; p < 3; p++)
            {
                string id = $"c{i}_{p}";
                calls.Add(new FunctionCallContent(id, "grep", new Dictionary<string, object?> { ["pattern"] = $"Parse{p}", ["dir"] = $"src/{i}" }));
                results.Add(new FunctionResultContent(id, i % 50 == 0 && p == 0 ? big : Prose(i, 1_200)));
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, calls));
            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }

        messages.Add(new ChatMessage(ChatRole.User, "Now list them by file."));
        return messages;
    }

    private static List<ChatMessage> SystemMid()
    {
        List<ChatMessage> messages = Chat(120);
        for (int i = 20; i < messages.Count; i += 40)
        {
            messages.Insert(i, new ChatMessage(ChatRole.System, $"Reminder {i}: stay within the repository."));
        }

        return messages;
    }

    private static List<ChatMessage> HugeFirstUser()
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a careful agent."), new(ChatRole.User, "Review this log:\n" + Prose(0, 400_000)) };
        for (int i = 0; i < 60; i++)
        {
            string id = $"c{i}";
            messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, "grep", new Dictionary<string, object?> { ["q"] = $"e{i}" })]));
            messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, Prose(i, 2_000))]));
        }

        messages.Add(new ChatMessage(ChatRole.User, "Summarize the errors by severity."));
        return messages;
    }
}
