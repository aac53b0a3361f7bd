using System.Diagnostics.Metrics;

namespace Executus.Lanes;

/// <summary>The lanes' instruments, on the <see cref="Lane.MeterName"/> meter; every measurement is tagged with the lane name.</summary>
internal static class LaneMetrics
{
    public const string LaneTag = "executus.lane.name";

    private static readonly Meter s_meter = new(Lane.MeterName);

    public static readonly Counter<long> Submitted = s_meter.CreateCounter<long>("executus.lane.submitted", "{job}", "Jobs submitted to the lane, including rejected ones.");
    public static readonly Counter<long> Completed = s_meter.CreateCounter<long>("executus.lane.completed", "{job}", "Jobs that returned a value.");
    public static readonly Counter<long> Failed = s_meter.CreateCounter<long>("executus.lane.failed", "{job}", "Jobs that threw.");
    public static readonly Counter<long> Cancelled = s_meter.CreateCounter<long>("executus.lane.cancelled", "{job}", "Jobs cancelled while waiting, queued or running.");
    public static readonly Counter<long> Rejected = s_meter.CreateCounter<long>("executus.lane.rejected", "{job}", "Submissions refused: lane full (fail-fast) or shutting down.");
    public static readonly UpDownCounter<long> Queued = s_meter.CreateUpDownCounter<long>("executus.lane.queued", "{job}", "Jobs waiting in the lane (queued or back-pressured).");
    public static readonly UpDownCounter<long> Running = s_meter.CreateUpDownCounter<long>("executus.lane.running", "{job}", "Jobs running in the lane.");
    public static readonly Histogram<double> WaitTime = s_meter.CreateHistogram<double>("executus.lane.wait_time", "s", "Time from submission to start of a job.");

    public static void Add(Counter<long> counter, long delta, string lane)
    {
        if (delta != 0 && counter.Enabled)
        {
            counter.Add(delta, new KeyValuePair<string, object?>(LaneTag, lane));
        }
    }

    public static void Add(UpDownCounter<long> counter, long delta, string lane)
    {
        if (delta != 0 && counter.Enabled)
        {
            counter.Add(delta, new KeyValuePair<string, object?>(LaneTag, lane));
        }
    }
}
