using System.Threading.Channels;
using Executus.Fanout;
using Executus.Lanes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.FanOut;

public sealed class FanOutRunnerTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(15);
    private static readonly string[] Models = ["m0", "m1", "m2"];
    private static readonly string[] Lenses = ["l0", "l1", "l2", "l3"];

    [Fact]
    public async Task Every_cell_ends_as_a_value_or_a_captured_error_in_grid_order()
    {
        FanOutResult<string> result = await FanOutRunner.RunAsync(
            Models,
            Lenses,
            async (model, lens, ct) =>
            {
                await Task.Yield();
                return model == "m1" && lens == "l2" ? throw new InvalidOperationException("bad cell") : model + lens;
            },
            new FanOutOptions { MaxConcurrency = 3 });

        Assert.Equal((3, 4, 12), (result.RowCount, result.ColumnCount, result.Cells.Count));
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                FanOutCell<string> cell = result.GetCell(r, c);
                Assert.Same(cell, result.Cells[(r * 4) + c]);
                Assert.Equal((r, c), (cell.Row, cell.Column));
                if ((r, c) == (1, 2))
                {
                    Assert.Equal(FanOutCellStatus.Failed, cell.Status);
                    Assert.Equal("bad cell", Assert.IsType<InvalidOperationException>(cell.Error).Message);
                    Assert.Null(cell.Value);
                }
                else
                {
                    Assert.True(cell.Succeeded);
                    Assert.Equal(Models[r] + Lenses[c], cell.Value);
                    Assert.Null(cell.Error);
                }
            }
        }

        Assert.Equal((11, 1, 0, 0), (result.SucceededCount, result.FailedCount, result.TimedOutCount, result.CancelledCount));
        Assert.False(result.FailedFast);
        Assert.Null(result.Usage);
        Assert.Throws<ArgumentOutOfRangeException>(() => result.GetCell(3, 0));
    }

    [Fact]
    public async Task A_cell_past_its_timeout_is_marked_timed_out_and_the_rest_complete()
    {
        var time = new FakeTimeProvider();
        var started = Channel.CreateUnbounded<int>();
        Task<FanOutResult<int>> run = FanOutRunner.RunAsync(
            [0, 1, 2],
            [0],
            async (row, _, ct) =>
            {
                if (row == 1)
                {
                    started.Writer.TryWrite(row);
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                return row;
            },
            new FanOutOptions { CellTimeout = TimeSpan.FromSeconds(30), TimeProvider = time });

        await started.Reader.ReadAsync().AsTask().WaitAsync(Safety);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        FanOutResult<int> result = await run.WaitAsync(Safety);

        FanOutCell<int> slow = result.GetCell(1, 0);
        Assert.Equal(FanOutCellStatus.TimedOut, slow.Status);
        Assert.IsType<TimeoutException>(slow.Error);
        Assert.Equal(TimeSpan.FromSeconds(30), slow.Duration);
        Assert.Equal([0, 2], result.Cells.Where(c => c.Succeeded).Select(c => c.Value));
        Assert.Equal(1, result.TimedOutCount);
    }

    [Fact]
    public async Task A_cell_that_ignores_its_token_is_abandoned_at_its_timeout()
    {
        var time = new FakeTimeProvider();
        var never = new TaskCompletionSource<int>();
        var started = new TaskCompletionSource();
        Task<FanOutResult<int>> run = FanOutRunner.RunAsync(
            [0],
            [0],
            (_, _, _) =>
            {
                started.SetResult();
                return never.Task;
            },
            new FanOutOptions { CellTimeout = TimeSpan.FromSeconds(5), TimeProvider = time });

        await started.Task.WaitAsync(Safety);
        time.Advance(TimeSpan.FromSeconds(5));
        FanOutResult<int> result = await run.WaitAsync(Safety);
        Assert.Equal(FanOutCellStatus.TimedOut, result.Cells[0].Status);
    }

    [Fact]
    public async Task FailFast_cancels_the_remaining_cells()
    {
        var ran = new List<int>();
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Enumerable.Range(0, 6).ToArray(),
            [0],
            (row, _, ct) =>
            {
                ran.Add(row);
                return row == 2 ? throw new InvalidOperationException("stop") : Task.FromResult(row);
            },
            new FanOutOptions { MaxConcurrency = 1, FailFast = true });

        Assert.True(result.FailedFast);
        Assert.Equal([0, 1, 2], ran);
        Assert.Equal(
            [FanOutCellStatus.Succeeded, FanOutCellStatus.Succeeded, FanOutCellStatus.Failed, FanOutCellStatus.Cancelled, FanOutCellStatus.Cancelled, FanOutCellStatus.Cancelled],
            result.Cells.Select(c => c.Status));
        Assert.All(result.Cells.Skip(3), c => Assert.IsType<OperationCanceledException>(c.Error));
    }

    [Fact]
    public async Task FailFast_cancels_running_cells_too()
    {
        var blockedStarted = new TaskCompletionSource();
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            [0, 1],
            [0],
            async (row, _, ct) =>
            {
                if (row == 0)
                {
                    blockedStarted.SetResult();
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                await blockedStarted.Task;
                return row == 1 ? throw new InvalidOperationException("fail") : row;
            },
            new FanOutOptions { MaxConcurrency = 2, FailFast = true }).WaitAsync(Safety);

        Assert.Equal(FanOutCellStatus.Cancelled, result.Cells[0].Status);
        Assert.Equal(FanOutCellStatus.Failed, result.Cells[1].Status);
    }

    [Fact]
    public async Task Quorum_stops_after_K_successes_and_cancels_the_rest()
    {
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Enumerable.Range(0, 10).ToArray(),
            [0],
            async (row, _, ct) =>
            {
                if (row >= 3)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                return row;
            },
            new FanOutOptions { MaxConcurrency = 4, Quorum = 3 }).WaitAsync(Safety);

        Assert.True(result.QuorumReached);
        Assert.Equal(3, result.SucceededCount);
        Assert.Equal(7, result.CancelledCount);
        Assert.Equal([0, 1, 2], result.Cells.Where(c => c.Succeeded).Select(c => c.Value));
        Assert.All(result.Cells.Skip(3), c => Assert.Equal(FanOutCellStatus.Cancelled, c.Status));
    }

    [Fact]
    public async Task Concurrency_never_exceeds_the_cap_and_reaches_it()
    {
        int running = 0;
        int peak = 0;
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Enumerable.Range(0, 10).ToArray(),
            Enumerable.Range(0, 5).ToArray(),
            async (r, c, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                lock (full)
                {
                    peak = Math.Max(peak, now);
                }

                if (now == 5)
                {
                    full.TrySetResult();
                }

                await full.Task.WaitAsync(ct);
                await Task.Yield();
                Interlocked.Decrement(ref running);
                return r + c;
            },
            new FanOutOptions { MaxConcurrency = 5 }).WaitAsync(Safety);

        Assert.Equal(5, peak);
        Assert.Equal(50, result.SucceededCount);
    }

    [Fact]
    public async Task Cells_run_on_a_lane_within_both_caps()
    {
        await using var lane = new Lane($"fanout-{Guid.NewGuid():N}", new LaneOptions { MaxConcurrency = 2 });
        int running = 0;
        int peak = 0;
        FanOutResult<int> result = await FanOutRunner.RunAsync(
            Enumerable.Range(0, 20).ToArray(),
            [0],
            async (row, _, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                lock (lane)
                {
                    peak = Math.Max(peak, now);
                }

                await Task.Yield();
                Interlocked.Decrement(ref running);
                return row;
            },
            new FanOutOptions { MaxConcurrency = 8, Lane = lane, LaneKey = "gadfly" }).WaitAsync(Safety);

        Assert.InRange(peak, 1, 2);
        Assert.Equal(Enumerable.Range(0, 20), result.Cells.Select(c => c.Value));
        Assert.Equal(20, lane.GetStatistics().Completed);
    }

    [Fact]
    public async Task Usage_is_summed_over_the_cells_that_report_it()
    {
        FanOutResult<string> result = await FanOutRunner.RunAsync(
            [0, 1, 2, 3],
            ["x"],
            (row, col, ct) => row switch
            {
                0 => Task.FromResult(new FanOutValue<string>("a", new UsageDetails { InputTokenCount = 10, OutputTokenCount = 3, TotalTokenCount = 13 })),
                1 => Task.FromResult(new FanOutValue<string>("b", new UsageDetails { InputTokenCount = 5, OutputTokenCount = 2, TotalTokenCount = 7 })),
                2 => Task.FromResult(new FanOutValue<string>("c")),
                _ => Task.FromException<FanOutValue<string>>(new InvalidOperationException()),
            });

        Assert.NotNull(result.Usage);
        Assert.Equal((15L, 5L, 20L), (result.Usage.InputTokenCount, result.Usage.OutputTokenCount, result.Usage.TotalTokenCount));
        Assert.Equal(10, result.Cells[0].Usage!.InputTokenCount);
        Assert.Null(result.Cells[2].Usage);
    }

    [Fact]
    public async Task An_already_cancelled_fan_out_throws_without_running_cells()
    {
        bool ran = false;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FanOutRunner.RunAsync(
            [0],
            [0],
            (_, _, _) =>
            {
                ran = true;
                return Task.FromResult(1);
            },
            cancellationToken: new CancellationToken(true)));
        Assert.False(ran);
    }

    [Fact]
    public async Task Cancelling_a_running_fan_out_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        Task<FanOutResult<int>> run = FanOutRunner.RunAsync(
            [0, 1],
            [0],
            async (row, _, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return row;
            },
            cancellationToken: cts.Token);
        await started.Task.WaitAsync(Safety);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Safety));
    }

    [Fact]
    public async Task An_empty_grid_gives_an_empty_result()
    {
        FanOutResult<int> result = await FanOutRunner.RunAsync(Array.Empty<int>(), [1, 2], (_, _, _) => Task.FromResult(1));
        Assert.Empty(result.Cells);
        Assert.Equal(0, result.SucceededCount);
    }

    [Fact]
    public async Task Bad_options_are_rejected()
    {
        Func<int, int, CancellationToken, Task<int>> cell = (_, _, _) => Task.FromResult(1);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FanOutRunner.RunAsync([1], [1], cell, new FanOutOptions { MaxConcurrency = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FanOutRunner.RunAsync([1], [1], cell, new FanOutOptions { Quorum = 0 }));
        ArgumentOutOfRangeException tooMany = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FanOutRunner.RunAsync([1], [1, 2], cell, new FanOutOptions { Quorum = 3 }));
        Assert.Contains("2 cell(s)", tooMany.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FanOutRunner.RunAsync([1], [1], cell, new FanOutOptions { CellTimeout = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => FanOutRunner.RunAsync<int, int, int>(null!, [1], cell));
    }
}
