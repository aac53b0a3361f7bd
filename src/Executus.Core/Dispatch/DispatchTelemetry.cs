using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executus.Dispatch;

/// <summary>The dispatch guard's instruments, on the <see cref="ExecutusTelemetry.DispatchMeterName"/> meter.</summary>
internal static class DispatchTelemetry
{
    public const string ReasonTag = "executus.dispatch.reason";
    public const string TargetKindTag = "executus.dispatch.target_kind";
    public const string DepthTag = "executus.dispatch.depth";

    private static readonly Meter s_meter = new(ExecutusTelemetry.DispatchMeterName);
    private static readonly string[] s_reasonNames = Enum.GetNames<DispatchDeniedReason>();

    /// <summary>Runs and sub-runs the guard admitted, tagged with their depth.</summary>
    public static readonly Counter<long> Entries = s_meter.CreateCounter<long>(
        "executus.dispatch.entries", "{run}", "Runs and sub-runs admitted by the dispatch guard, by depth.");

    /// <summary>Refusals, tagged with the reason and whether an agent or a tool was refused.</summary>
    public static readonly Counter<long> Denials = s_meter.CreateCounter<long>(
        "executus.dispatch.denials", "{denial}", "Agent starts and tool calls refused by the dispatch guard, by reason.");

    public static void RecordEntry(int depth)
    {
        if (Entries.Enabled)
        {
            Entries.Add(1, new KeyValuePair<string, object?>(DepthTag, depth));
        }
    }

    /// <summary>Counts a denial and adds an event to the current span (the run or tool span it happened in).</summary>
    public static void RecordDenial(DispatchDenied denied, string targetKind)
    {
        string reason = (uint)denied.Reason < (uint)s_reasonNames.Length ? s_reasonNames[(int)denied.Reason] : denied.Reason.ToString();
        if (Denials.Enabled)
        {
            Denials.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason), new KeyValuePair<string, object?>(TargetKindTag, targetKind));
        }

        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.AddEvent(new ActivityEvent(
                "executus.dispatch.denied",
                tags: new ActivityTagsCollection
                {
                    [ReasonTag] = reason,
                    [TargetKindTag] = targetKind,
                    ["executus.dispatch.target"] = denied.Target,
                    ["executus.dispatch.limit"] = denied.Limit,
                }));
        }
    }
}
