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
    public async Task<int> SemaphoreWhenAll()
    {
        using var gate = new SemaphoreSlim(Concurrency);
        int[] results = await Task.WhenAll(Enumerable.Range(0, Cells).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await Task.Delay(Latency);
                return i;
            }
            finally
            {
                gate.Release();
            }
        }));
        return results.Length;
    }

    [Benchmark(Description = "one cell alone (real 10 ms delay)")]
    public async Task<int> OneCell()
    {
        await Task.Delay(Latency);
        return 1;
    }

    [Benchmark(Description = "FanOutRunner, standalone cap 64")]
    public async Task<int> FanOutStandalone()
    {
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Rows,
            Columns,
            static async (r, c, ct) =>
            {
                await Task.Delay(Latency, ct);
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = Concurrency });
        return result.SucceededCount;
    }

    [Benchmark(Description = "FanOutRunner on a 64-slot lane")]
    public async Task<int> FanOutPooled()
    {
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Rows,
            Columns,
            static async (r, c, ct) =>
            {
                await Task.Delay(Latency, ct);
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = Concurrency, Lane = _lane });
        return result.SucceededCount;
    }

    [Benchmark(Description = "SemaphoreSlim + Task.WhenAll, precise 10 ms")]
    public async Task<int> SemaphoreWhenAllPrecise()
    {
        using var gate = new SemaphoreSlim(Concurrency);
        int[] results = await Task.WhenAll(Enumerable.Range(0, Cells).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await _precise.Delay(Latency);
                return i;
            }
            finally
            {
                gate.Release();
            }
        }));
        return results.Length;
    }

    [Benchmark(Description = "FanOutRunner, standalone cap 64, precise 10 ms")]
    public async Task<int> FanOutStandalonePrecise()
    {
        PreciseLatency precise = _precise;
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Rows,
            Columns,
            async (r, c, ct) =>
            {
                await precise.Delay(Latency);
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = Concurrency });
        return result.SucceededCount;
    }

    [Benchmark(Description = "FanOutRunner on a 64-slot lane, precise 10 ms")]
    public async Task<int> FanOutPooledPrecise()
    {
        PreciseLatency precise = _precise;
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Rows,
            Columns,
            async (r, c, ct) =>
            {
                await precise.Delay(Latency);
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = Concurrency, Lane = _lane });
        return result.SucceededCount;
    }
}
