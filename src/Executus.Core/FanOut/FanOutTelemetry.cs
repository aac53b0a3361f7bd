using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executus.Fanout;

/// <summary>The fan-out's activity source and instruments, on <see cref="ExecutusTelemetry.FanOutSourceName"/>.</summary>
internal static class FanOutTelemetry
{
    public const string StatusTag = "executus.fanout.cell.status";
    public const string OutcomeTag = "executus.fanout.outcome";

    public static readonly ActivitySource Source = new(ExecutusTelemetry.FanOutSourceName);
    private static readonly Meter s_meter = new(ExecutusTelemetry.FanOutSourceName);
    private static readonly string[] s_statusNames = Enum.GetNames<FanOutCellStatus>();

    /// <summary>Cells ended, by status.</summary>
    public static readonly Counter<long> Cells = s_meter.CreateCounter<long>(
        "executus.fanout.cells", "{cell}", "Fan-out cells ended, by status (Succeeded, Failed, TimedOut, Cancelled).");

    /// <summary>Time a started cell took, by status.</summary>
    public static readonly Histogram<double> CellDuration = s_meter.CreateHistogram<double>(
        "executus.fanout.cell.duration", "s", "Time a started fan-out cell took, by status.");

    /// <summary>Time a whole grid took, by outcome.</summary>
    public static readonly Histogram<double> Duration = s_meter.CreateHistogram<double>(
        "executus.fanout.duration", "s", "Time a whole fan-out grid took, by outcome (completed, quorum, failed_fast, cancelled).");

    public static string StatusName(FanOutCellStatus status) =>
        (uint)status < (uint)s_statusNames.Length ? s_statusNames[(int)status] : status.ToString();

    public static void RecordCell(FanOutCellStatus status, TimeSpan elapsed, bool started)
    {
        if (!Cells.Enabled && !CellDuration.Enabled)
        {
            return;
        }

        var tag = new KeyValuePair<string, object?>(StatusTag, StatusName(status));
        Cells.Add(1, tag);
        if (started)
        {
            CellDuration.Record(elapsed.TotalSeconds, tag);
        }
    }
}
