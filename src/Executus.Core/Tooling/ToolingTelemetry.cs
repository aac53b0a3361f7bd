using System.Diagnostics.Metrics;

namespace Executus.Tooling;

/// <summary>Metrics of the tool permission stages.</summary>
internal static class ToolingTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = ExecutusTelemetry.ToolingMeterName;

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Gets the counter of denials, tagged with <c>executus.tool.stage</c> and <c>executus.tool.denial_code</c>.</summary>
    public static Counter<long> Denials { get; } = Meter.CreateCounter<long>("executus.tool.denials", description: "Tool calls or tools refused by a permission stage.");

    /// <summary>Gets the counter of invocations, tagged with <c>executus.tool.outcome</c> (<c>ok</c>/<c>error</c>).</summary>
    public static Counter<long> Invocations { get; } = Meter.CreateCounter<long>("executus.tool.invocations", description: "Tool functions invoked after passing every stage.");

    /// <summary>Gets the counter of denials the audit port failed to record, tagged with <c>error.type</c>.</summary>
    public static Counter<long> AuditFailures { get; } = Meter.CreateCounter<long>("executus.tool.audit_failures", description: "Tool denials the audit port failed to record (the denial itself still stands).");
}
