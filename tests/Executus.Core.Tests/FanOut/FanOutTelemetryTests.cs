using System.Diagnostics;
using Executus.Core.Tests.Telemetry;
using Executus.Fanout;

namespace Executus.Core.Tests.FanOut;

public sealed class FanOutTelemetryTests
{
    [Fact]
    public async Task Cells_are_counted_by_status_with_durations_and_the_grid_gets_a_span_and_a_duration()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.FanOutSourceName);
        using var spans = new ActivityCapture(ExecutusTelemetry.FanOutSourceName);

        // One loop, fail-fast: cell (0,0) succeeds, (0,1) fails, and the two cells after it are cancelled unstarted.
        FanOutResult<string> result = await FanOutRunner.RunAsync(
            ["r0", "r1"],
            ["c0", "c1"],
            (row, column, _) => row == "r0" && column == "c1" ? throw new InvalidOperationException("bad") : Task.FromResult(row + column),
            new FanOutOptions { MaxConcurrency = 1, FailFast = true });

        Assert.True(result.FailedFast);
        Assert.Equal(1, metrics.Sum("executus.fanout.cells", ("executus.fanout.cell.status", "Succeeded")));
        Assert.Equal(1, metrics.Sum("executus.fanout.cells", ("executus.fanout.cell.status", "Failed")));
        Assert.Equal(2, metrics.Sum("executus.fanout.cells", ("executus.fanout.cell.status", "Cancelled")));
        Assert.Equal(2, metrics.Of("executus.fanout.cell.duration").Count); // only the cells that started
        Assert.All(metrics.Of("executus.fanout.cell.duration"), m => Assert.True(m.Value >= 0));
        MetricCapture.Measurement grid = Assert.Single(metrics.Of("executus.fanout.duration"));
        Assert.Equal("failed_fast", grid.Tags["executus.fanout.outcome"]);

        Activity span = Assert.Single(spans.Stopped, a => a.OperationName == "fan_out");
        Assert.Equal("failed_fast", span.GetTagItem("executus.fanout.outcome"));
        Assert.Equal(2, span.GetTagItem("executus.fanout.rows"));
        Assert.Equal(1, span.GetTagItem("executus.fanout.cells.succeeded"));
        Assert.Equal(1, span.GetTagItem("executus.fanout.cells.failed"));
        Assert.Equal(2, span.GetTagItem("executus.fanout.cells.cancelled"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task A_complete_grid_is_recorded_as_completed()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.FanOutSourceName);

        await FanOutRunner.RunAsync([1, 2, 3], ["x"], (r, c, _) => Task.FromResult($"{r}{c}"), new FanOutOptions { MaxConcurrency = 2 });

        Assert.Equal(3, metrics.Sum("executus.fanout.cells", ("executus.fanout.cell.status", "Succeeded")));
        Assert.Equal("completed", Assert.Single(metrics.Of("executus.fanout.duration")).Tags["executus.fanout.outcome"]);
    }
}
