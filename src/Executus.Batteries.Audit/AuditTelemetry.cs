using System.Diagnostics.Metrics;

namespace Executus.Batteries.Audit;

/// <summary>The Audit battery's metrics (meter <c>Executus.Audit</c>).</summary>
internal static class AuditTelemetry
{
    public const string MeterName = ExecutusTelemetry.AuditMeterName;

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Written = Meter.CreateCounter<long>("executus.audit.events.written", description: "Audit events the store accepted.");

    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("executus.audit.events.dropped", description: "Audit events dropped, tagged with the reason (queue_full, store_failed, redaction_failed, disposed, cancelled).");

    public static readonly Counter<long> StoreFailures = Meter.CreateCounter<long>("executus.audit.store.failures", description: "Audit store calls that threw.");

    public static readonly UpDownCounter<long> Queued = Meter.CreateUpDownCounter<long>("executus.audit.queue.length", description: "Audit events waiting for the store.");
}
