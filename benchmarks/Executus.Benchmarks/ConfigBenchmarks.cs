using BenchmarkDotNet.Attributes;
using Executus.Configuration;

namespace Executus.Benchmarks;

/// <summary>Typed config reads happen at every use (values may change at run time), so they must stay cheap.</summary>
[MemoryDiagnoser]
public class ConfigBenchmarks
{
    private readonly InMemoryConfigSource _source = new([
        new("Executus:Lanes:interactive:MaxConcurrency", "8"),
        new("Executus:Runs:Timeout", "1h30m"),
        new("Executus:Models:Tiers:smart", "openai:gpt-4.1, ollama:qwen3"),
    ]);

    [Benchmark]
    public int GetInt() => _source.GetInt("Executus:Lanes:interactive:MaxConcurrency", 4);

    [Benchmark]
    public TimeSpan GetDuration() => _source.GetDuration("Executus:Runs:Timeout", TimeSpan.Zero);

    [Benchmark]
    public int GetList() => _source.GetList("Executus:Models:Tiers:smart").Count;
}
