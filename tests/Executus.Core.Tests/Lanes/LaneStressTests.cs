using Executus.Lanes;

namespace Executus.Core.Tests.Lanes;

public sealed class LaneStressTests
{
    [Fact]
    public async Task Two_hundred_thousand_jobs_over_fifty_keys_are_each_accounted_for_exactly_once()
    {
        const int Jobs = 200_000;
        const int Keys = 50;
        const int Producers = 4;
        await using var lane = new Lane($"stress-{Guid.NewGuid():N}", new LaneOptions { MaxConcurrency = 8, MaxQueued = 1_000, MaxPerKey = 4 });
        var runs = new int[Jobs];
        var tasks = new Task<int>[Jobs];

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (int i = p; i < Jobs; i += Producers)
            {
                int id = i;
                bool throws = id % 100 == 7;
                CancellationTokenSource? cts = id % 10 == 3 ? new CancellationTokenSource() : null;
                Func<CancellationToken, Task<int>> work = async ct =>
                {
                    Interlocked.Increment(ref runs[id]);
                    if (id % 2 == 0)
                    {
                        await Task.Yield();
                    }

                    if (throws)
                    {
                        throw new InvalidOperationException($"job {id}");
                    }

                    ct.ThrowIfCancellationRequested();
                    return id;
                };

                try
                {
                    // Why: a cancelled submission may already be refused while it waits for room; that is still one outcome.
                    tasks[id] = await lane.SubmitAsync($"key{id % Keys}", work, LaneSubmitMode.Wait, cts?.Token ?? default);
                }
                catch (OperationCanceledException)
                {
                    tasks[id] = Task.FromCanceled<int>(new CancellationToken(true));
                }

                if (cts is not null)
                {
                    await cts.CancelAsync();
                    _ = tasks[id].ContinueWith(_ => cts.Dispose(), TaskScheduler.Default);
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
            // Expected: some jobs fail and some are cancelled; each is checked below.
        }

        int completed = 0, failed = 0, cancelled = 0;
        for (int i = 0; i < Jobs; i++)
        {
            Task<int> task = tasks[i];
            Assert.InRange(runs[i], 0, 1);
            switch (task.Status)
            {
                case TaskStatus.RanToCompletion:
                    Assert.Equal(i, await task);
                    Assert.Equal(1, runs[i]);
                    completed++;
                    break;
                case TaskStatus.Faulted:
                    Assert.Equal(7, i % 100);
                    Assert.Equal(1, runs[i]);
                    failed++;
                    break;
                case TaskStatus.Canceled:
                    Assert.Equal(3, i % 10);
                    cancelled++;
                    break;
                default:
                    Assert.Fail($"job {i} ended {task.Status}");
                    break;
            }
        }

        Assert.Equal(Jobs / 100, failed);
        Assert.InRange(cancelled, 1, Jobs / 10);
        LaneStatistics stats = lane.GetStatistics();
        Assert.Equal(Jobs, stats.Submitted);
        Assert.Equal(completed, stats.Completed);
        Assert.Equal(failed, stats.Failed);
        Assert.Equal(cancelled, stats.Cancelled);
        Assert.Equal(0, stats.Rejected);
        Assert.Equal((0, 0, 0), (stats.Waiting, stats.Queued, stats.Running));
        Assert.Equal(stats.Submitted, stats.Completed + stats.Failed + stats.Cancelled + stats.Rejected);
    }
}
