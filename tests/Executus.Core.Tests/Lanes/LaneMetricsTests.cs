using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Executus.Lanes;

namespace Executus.Core.Tests.Lanes;

public sealed class LaneMetricsTests
{
    [Fact]
    public async Task Counters_reconcile_with_every_outcome()
    {
        string name = $"metrics-{Guid.NewGuid():N}";
        var totals = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Lane.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "executus.lane.name" && (string?)tag.Value == name)
                {
                    totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value);
                    if (instrument is Histogram<double>)
                    {
                        totals.AddOrUpdate(instrument.Name + ".count", 1, (_, v) => v + 1);
                        Assert.True(value >= 0);
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var lane = new Lane(name, new LaneOptions { MaxConcurrency = 1, MaxQueued = 1 });
        var release = new TaskCompletionSource();
        Task<int> ok = lane.RunAsync("a", async _ => { await release.Task; return 1; });
        using var cts = new CancellationTokenSource();
        Task<int> cancelledQueued = lane.RunAsync("a", _ => Task.FromResult(2), cancellationToken: cts.Token);
        await Assert.ThrowsAsync<LaneFullException>(() => lane.RunAsync("b", _ => Task.FromResult(3), LaneSubmitMode.FailFast));
        Assert.Equal(1, totals.GetValueOrDefault("executus.lane.running"));
        Assert.Equal(1, totals.GetValueOrDefault("executus.lane.queued"));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledQueued);
        release.SetResult();
        await ok;
        await Assert.ThrowsAsync<InvalidOperationException>(() => lane.RunAsync<int>("c", _ => throw new InvalidOperationException()));
        await lane.DisposeAsync();
        await Assert.ThrowsAsync<LaneClosedException>(() => lane.RunAsync("d", _ => Task.FromResult(4)));

        Assert.Equal(5, totals["executus.lane.submitted"]);
        Assert.Equal(1, totals["executus.lane.completed"]);
        Assert.Equal(1, totals["executus.lane.failed"]);
        Assert.Equal(1, totals["executus.lane.cancelled"]);
        Assert.Equal(2, totals["executus.lane.rejected"]);
        Assert.Equal(0, totals.GetValueOrDefault("executus.lane.queued"));
        Assert.Equal(0, totals.GetValueOrDefault("executus.lane.running"));
        Assert.Equal(2, totals["executus.lane.wait_time.count"]);
        Assert.Equal(
            totals["executus.lane.submitted"],
            totals["executus.lane.completed"] + totals["executus.lane.failed"] + totals["executus.lane.cancelled"] + totals["executus.lane.rejected"]);
    }
}
