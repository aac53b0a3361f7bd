using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executus.Models;

/// <summary>The meter of the models feature.</summary>
internal static class ModelsTelemetry
{
    public const string MeterName = ExecutusTelemetry.ModelsMeterName;

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Counts candidates abandoned after a transient failure.</summary>
    public static readonly Counter<long> Failovers = Meter.CreateCounter<long>(
        "executus.models.failovers", unit: "{failover}", description: "Model candidates abandoned after a transient failure.");

    /// <summary>Counts candidates skipped because they were cooling down.</summary>
    public static readonly Counter<long> CooldownSkips = Meter.CreateCounter<long>(
        "executus.models.cooldown_skips", unit: "{skip}", description: "Model candidates skipped because they were cooling down.");

    /// <summary>Counts cooling candidates tried anyway because every candidate was cooling down.</summary>
    public static readonly Counter<long> CooldownProbes = Meter.CreateCounter<long>(
        "executus.models.cooldown_probes", unit: "{probe}", description: "Cooling model candidates probed because every candidate was cooling down.");

    public static TagList Tags(string? tier, string candidate) => new() { { "executus.tier", tier }, { "executus.candidate", candidate } };
}
