using System.Diagnostics.Metrics;

namespace Executus.Net;

/// <summary>Metrics of the SSRF-safe HTTP client.</summary>
internal static class NetTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = ExecutusTelemetry.NetMeterName;

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Gets the counter of requests refused by the SSRF guard, tagged with <c>executus.ssrf.reason</c>.</summary>
    public static Counter<long> Blocked { get; } = Meter.CreateCounter<long>("executus.net.ssrf.blocked", description: "HTTP requests, redirect hops or connections refused by the SSRF guard.");
}
