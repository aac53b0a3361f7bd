using BenchmarkDotNet.Attributes;
using Executus.Fanout;
using Executus.Lanes;

namespace Executus.Benchmarks;

/// <summary>
/// 1,000 cells of 10 ms simulated latency at concurrency 64: the ideal is ceil(1000 / 64) = 16 waves × 10 ms = 160 ms.
/// Target: ≤ 1.1× ideal. The baseline is the usual hand-rolled SemaphoreSlim + Task.WhenAll. <see cref="OneCell"/>
/// measures what one 10 ms <see cref="Task.Delay(TimeSpan)"/> really takes on this machine (timer granularity), so
/// the achievable ideal with timers is 16 × that. The "precise" rows simulate the latency with <see cref="PreciseLatency"/>
/// (no timer slack), so they measure against the true 160 ms ideal.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int Cells = 1_000;
    private const int Concurrency = 64;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(10);
    private static readonly int[] Rows = Enumerable.Range(0, 100).ToArray();
    private static readonly int[] Columns = Enumerable.Range(0, Cells / 100).ToArray();

    private Lane _lane = null!;
    private PreciseLatency _precise = null!;

    [GlobalSetup]
    public void Setup()
    {
        _lane = new Lane("fanout-bench", new LaneOptions { MaxConcurrency = Concurrency, MaxQueued = Cells });
        _precise = new PreciseLatency();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lane.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _precise.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SemaphoreSlim + Task.WhenAll")]
    public Task<int> SemaphoreWhenAll() => SemaphoreWhenAll(static () => Task.Delay(Latency));

    [Benchmark(Description = "one cell alone (real 10 ms delay)")]
    public async Task<int> OneCell()
    {
        await Task.Delay(Latency);
        return 1;
    }

    [Benchmark(Description = "FanOutRunner, standalone cap 64")]
    public Task<int> FanOutStandalone() => FanOut(static () => Task.Delay(Latency), lane: null);

    [Benchmark(Description = "FanOutRunner on a 64-slot lane")]
    public Task<int> FanOutPooled() => FanOut(static () => Task.Delay(Latency), _lane);

    [Benchmark(Description = "SemaphoreSlim + Task.WhenAll, precise 10 ms")]
    public Task<int> SemaphoreWhenAllPrecise() => SemaphoreWhenAll(() => _precise.Delay(Latency));

    [Benchmark(Description = "FanOutRunner, standalone cap 64, precise 10 ms")]
    public Task<int> FanOutStandalonePrecise() => FanOut(() => _precise.Delay(Latency), lane: null);

    [Benchmark(Description = "FanOutRunner on a 64-slot lane, precise 10 ms")]
    public Task<int> FanOutPooledPrecise() => FanOut(() => _precise.Delay(Latency), _lane);

    private static async Task<int> SemaphoreWhenAll(Func<Task> latency)
    {
        using var gate = new SemaphoreSlim(Concurrency);
        int[] results = await Task.WhenAll(Enumerable.Range(0, Cells).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await latency();
                return i;
            }
            finally
            {
                gate.Release();
            }
        }));
        return results.Length;
    }

    private static async Task<int> FanOut(Func<Task> latency, Lane? lane)
    {
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Rows,
            Columns,
            async (r, c, ct) =>
            {
                await latency();
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = Concurrency, Lane = lane });
        return result.SucceededCount;
    }
}
