using System.Diagnostics;
using Executus.Core.Tests.Telemetry;
using Executus.Dispatch;

namespace Executus.Core.Tests.Dispatch;

public sealed class DispatchTelemetryTests
{
    private static DispatchGuard Guard(int depth = 3, int fanOut = 16, int repeats = 3) =>
        new(new DispatchLimits { MaxDepth = depth, MaxFanOut = fanOut, MaxRepeats = repeats });

    [Fact]
    public void Admitted_runs_are_counted_by_depth_and_denials_by_reason_and_target_kind()
    {
        using var metrics = new MetricCapture(ExecutusTelemetry.DispatchMeterName);
        DispatchGuard guard = Guard(depth: 1, fanOut: 1, repeats: 1);

        using (DispatchEntry root = guard.Enter("planner", "task"))
        {
            using (DispatchEntry child = guard.Enter("worker", "part 1"))
            {
                Assert.True(child.IsAllowed);
                Assert.Equal(DispatchDeniedReason.Depth, guard.Enter("nested", "x").Denied!.Reason);
                Assert.Null(DispatchGuard.CheckToolCall("read", "{\"p\":1}"));
                Assert.Equal(DispatchDeniedReason.Loop, DispatchGuard.CheckToolCall("read", "{\"p\":1}")!.Reason);
            }

            Assert.Equal(DispatchDeniedReason.FanOut, guard.Enter("worker", "part 2").Denied!.Reason);
            Assert.Equal(DispatchDeniedReason.Loop, guard.Enter("worker", "part 1").Denied!.Reason);
        }

        Assert.Equal(1, metrics.Sum("executus.dispatch.entries", ("executus.dispatch.depth", 0)));
        Assert.Equal(1, metrics.Sum("executus.dispatch.entries", ("executus.dispatch.depth", 1)));
        Assert.Equal(1, metrics.Sum("executus.dispatch.denials", ("executus.dispatch.reason", "Depth"), ("executus.dispatch.target_kind", "agent")));
        Assert.Equal(1, metrics.Sum("executus.dispatch.denials", ("executus.dispatch.reason", "FanOut"), ("executus.dispatch.target_kind", "agent")));
        Assert.Equal(1, metrics.Sum("executus.dispatch.denials", ("executus.dispatch.reason", "Loop"), ("executus.dispatch.target_kind", "agent")));
        Assert.Equal(1, metrics.Sum("executus.dispatch.denials", ("executus.dispatch.reason", "Loop"), ("executus.dispatch.target_kind", "tool")));
        Assert.Equal(4, metrics.Sum("executus.dispatch.denials"));
    }

    [Fact]
    public void A_denial_is_an_event_on_the_current_span()
    {
        using var spans = new ActivityCapture("unused");
        DispatchGuard guard = Guard(repeats: 1);
        using DispatchEntry root = guard.Enter("planner", "task");
        Assert.Null(DispatchGuard.CheckToolCall("read", "a"));

        DispatchDenied denied = DispatchGuard.CheckToolCall("read", "a")!;

        ActivityEvent e = Assert.Single(spans.Root!.Events, e => e.Name == "executus.dispatch.denied");
        var tags = e.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("Loop", tags["executus.dispatch.reason"]);
        Assert.Equal("tool", tags["executus.dispatch.target_kind"]);
        Assert.Equal("read", tags["executus.dispatch.target"]);
        Assert.Equal(denied.Limit, tags["executus.dispatch.limit"]);
    }
}
