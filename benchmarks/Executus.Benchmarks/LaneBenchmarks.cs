using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Executus.Lanes;

namespace Executus.Benchmarks;

/// <summary>
/// Throughput of no-op jobs through a <see cref="Lane"/> versus a raw bounded <see cref="Channel{T}"/> drained by the
/// same number of long-lived consumer tasks. Both sides hand each job's result back through a
/// <see cref="TaskCompletionSource{T}"/> (continuations asynchronous), apply back-pressure at the same queue bound,
/// and await every job, so the difference is the lane's fair-share bookkeeping. Target: lane ≥ 0.8× the channel.
/// </summary>
[MemoryDiagnoser]
public class LaneBenchmarks
{
    private const int QueueBound = 1_000;
    private static readonly Func<CancellationToken, Task<int>> s_noop = static _ => Task.FromResult(1);

    private Channel<WorkItem> _channel = null!;
    private Task[] _consumers = [];
    private Lane _lane = null!;
    private Task<int>[] _results = [];
    private string[] _keys = [];

    /// <summary>Gets or sets the number of workers (lane MaxConcurrency / channel consumers).</summary>
    [Params(4, 16)]
    public int Workers { get; set; }

    /// <summary>Gets or sets the number of fair-share keys the lane's jobs are spread over.</summary>
    [Params(1, 50)]
    public int Keys { get; set; }

    /// <summary>Gets or sets how many jobs one operation pushes through.</summary>
    public int Jobs { get; set; } = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _channel = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(QueueBound) { SingleWriter = true });
        _consumers = Enumerable.Range(0, Workers).Select(_ => Task.Run(ConsumeAsync)).ToArray();
        _lane = new Lane("bench", new LaneOptions { MaxConcurrency = Workers, MaxQueued = QueueBound });
        _results = new Task<int>[Jobs];
        _keys = Enumerable.Range(0, Keys).Select(k => $"tenant{k}").ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Writer.Complete();
        Task.WaitAll(_consumers);
        _lane.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "raw bounded Channel + N consumers")]
    public async Task<int> RawChannel()
    {
        ChannelWriter<WorkItem> writer = _channel.Writer;
        for (int i = 0; i < Jobs; i++)
        {
            var item = new WorkItem(s_noop);
            await writer.WriteAsync(item);
            _results[i] = item.Result.Task;
        }

        await Task.WhenAll(_results);
        return _results.Length;
    }

    [Benchmark(Description = "Lane (fair share over Keys)")]
    public async Task<int> Lane()
    {
        for (int i = 0; i < Jobs; i++)
        {
            _results[i] = await _lane.SubmitAsync(_keys[i % _keys.Length], s_noop);
        }

        await Task.WhenAll(_results);
        return _results.Length;
    }

    private async Task ConsumeAsync()
    {
        await foreach (WorkItem item in _channel.Reader.ReadAllAsync())
        {
            try
            {
                item.Result.TrySetResult(await item.Work(CancellationToken.None));
            }
            catch (Exception ex)
            {
                item.Result.TrySetException(ex);
            }
        }
    }

    private sealed class WorkItem(Func<CancellationToken, Task<int>> work)
    {
        public Func<CancellationToken, Task<int>> Work { get; } = work;

        public TaskCompletionSource<int> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
