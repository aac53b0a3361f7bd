using System.Threading.Channels;
using Executus.Lanes;

namespace Executus.Benchmarks;

/// <summary>
/// A deterministic measurement of how long a minority tenant's jobs wait behind a flood, in job lengths.
/// </summary>
/// <remarks>
/// Model: every job takes the same length L and the lane's N slots run staggered, so consecutive completions are L/N
/// apart. Jobs are held by gates and released one at a time, oldest first (one "completion"); after each release
/// the harness waits for the lane to start the next job. Tenant A floods 1,000 jobs; after a random number of
/// completions (0–199, seeded), tenant B submits 3 jobs. A B job's start delay is the number of completions from its
/// submission until it starts, divided by N (an upper bound: the first completion could come at once). The FIFO
/// figure is what a single shared queue would give: every queued A job ahead of B runs first.
/// </remarks>
public static class MinorityTenantDelay
{
    public const int Slots = 8;
    public const int Flood = 1_000;
    public const int MinorityJobs = 3;

    private static readonly Lazy<Figures> s_figures = new(() => MeasureAsync(trials: 50, seed: 42).GetAwaiter().GetResult());

    public static Figures Result => s_figures.Value;

    public static async Task<Figures> MeasureAsync(int trials, int seed)
    {
        var random = new Random(seed);
        var lane = new List<double>();
        var fifo = new List<double>();
        for (int t = 0; t < trials; t++)
        {
            (double[] laneDelays, double[] fifoDelays) = await TrialAsync(random.Next(0, 200));
            lane.AddRange(laneDelays);
            fifo.AddRange(fifoDelays);
        }

        return new Figures(Percentile(lane, 0.50), Percentile(lane, 0.99), Percentile(fifo, 0.50), Percentile(fifo, 0.99), lane.Count);
    }

    public static async Task<(double[] Lane, double[] Fifo)> TrialAsync(int offset)
    {
        var lane = new Lane("fairness", new LaneOptions { MaxConcurrency = Slots, MaxQueued = Flood + MinorityJobs });
        var starts = Channel.CreateUnbounded<(string Tenant, TaskCompletionSource Done)>();
        var running = new Queue<TaskCompletionSource>();
        var all = new List<Task>();

        Func<CancellationToken, Task<int>> Job(string tenant) => async ct =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            starts.Writer.TryWrite((tenant, done));
            await done.Task.WaitAsync(ct);
            return 0;
        };

        for (int i = 0; i < Flood; i++)
        {
            all.Add(await lane.SubmitAsync("A", Job("A")));
        }

        async Task<string> AwaitStartAsync()
        {
            (string tenant, TaskCompletionSource done) = await starts.Reader.ReadAsync();
            running.Enqueue(done);
            return tenant;
        }

        for (int i = 0; i < Slots; i++)
        {
            await AwaitStartAsync();
        }

        int completions = 0;
        for (int i = 0; i < offset; i++)
        {
            running.Dequeue().SetResult();
            completions++;
            await AwaitStartAsync();
        }

        int queuedAhead = lane.GetStatistics().Queued;
        int submittedAt = completions;
        for (int i = 0; i < MinorityJobs; i++)
        {
            all.Add(await lane.SubmitAsync("B", Job("B")));
        }

        var laneDelays = new List<double>();
        while (laneDelays.Count < MinorityJobs)
        {
            running.Dequeue().SetResult();
            completions++;
            if (await AwaitStartAsync() == "B")
            {
                laneDelays.Add((completions - submittedAt) / (double)Slots);
            }
        }

        double[] fifoDelays = Enumerable.Range(1, MinorityJobs).Select(k => (queuedAhead + k) / (double)Slots).ToArray();

        Task shutdown = lane.ShutdownAsync(LaneShutdownMode.CancelQueued);
        while (running.TryDequeue(out TaskCompletionSource? done))
        {
            done.SetResult();
        }

        await shutdown;
        return ([.. laneDelays], fifoDelays);
    }

    private static double Percentile(List<double> values, double p)
    {
        double[] sorted = [.. values.Order()];
        int index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }

    public sealed record Figures(double LaneP50, double LaneP99, double FifoP50, double FifoP99, int Samples);
}
