using BenchmarkDotNet.Attributes;
using Executus.Compaction;
using Executus.Tokenizers;
using Microsoft.Extensions.AI;

namespace Executus.Benchmarks;

/// <summary>
/// Counting 100 KB of mixed text (English prose, C# code, JSON, Japanese) as one message: the chars/4 estimate against
/// the real o200k and cl100k tokenizers (target: under 1 ms per 10 KB for the real ones).
/// </summary>
[MemoryDiagnoser]
public class TokenCountingBenchmarks
{
    private readonly ChatMessage _message = new(ChatRole.User, MixedText(100 * 1024));
    private readonly TiktokenTokenCounter _o200k = TiktokenTokenCounter.ForEncoding(TokenizerEncodings.O200kBase);
    private readonly TiktokenTokenCounter _cl100k = TiktokenTokenCounter.ForEncoding(TokenizerEncodings.Cl100kBase);

    [Benchmark(Baseline = true)]
    public int Estimate() => EstimatingTokenCounter.Instance.CountTokens(_message);

    [Benchmark]
    public int O200k() => _o200k.CountTokens(_message);

    [Benchmark]
    public int Cl100k() => _cl100k.CountTokens(_message);

    internal static string MixedText(int chars)
    {
        string[] parts =
        [
            "The deployment pipeline retries twice before it pages the on-call engineer; each retry waits for the health check. ",
            "public static int Sum(IEnumerable<int> xs) { int total = 0; foreach (int x in xs) { total += x; } return total; }\n",
            "{\"id\":1234,\"name\":\"widget\",\"tags\":[\"a\",\"b\"],\"price\":12.5,\"ok\":true}\n",
            "ビルドが失敗した原因は依存関係の更新によるキャッシュキーの変更です。",
        ];
        var builder = new System.Text.StringBuilder(chars + 200);
        for (int i = 0; builder.Length < chars; i++)
        {
            builder.Append(parts[i % parts.Length]);
        }

        return builder.ToString(0, chars);
    }
}
