using Microsoft.Extensions.Logging;

namespace Executus.Models;

/// <summary>What a <see cref="ModelTierResolver"/> decorates every candidate with.</summary>
public sealed class ModelTierResolverOptions
{
    /// <summary>Gets or sets where usage goes; <see cref="NullUsageSink"/> by default.</summary>
    public IUsageSink UsageSink { get; set; } = NullUsageSink.Instance;

    /// <summary>Gets or sets where call traces go; <see cref="NullTraceSink"/> by default.</summary>
    public ITraceSink TraceSink { get; set; } = NullTraceSink.Instance;

    /// <summary>Gets or sets which failures are transient; <see cref="DefaultTransientErrorClassifier"/> by default.</summary>
    public ITransientErrorClassifier Classifier { get; set; } = DefaultTransientErrorClassifier.Instance;

    /// <summary>Gets or sets the clock for latency and cool-downs; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the services handed to providers and to M.E.AI's client builder, if any.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Gets or sets whether each candidate carries M.E.AI's OpenTelemetry client (default true).</summary>
    public bool EnableOpenTelemetry { get; set; } = true;

    /// <summary>
    /// Gets or sets the OpenTelemetry source name; null keeps M.E.AI's default, so listeners of M.E.AI's GenAI telemetry
    /// see Executus's calls too.
    /// </summary>
    public string? OpenTelemetrySourceName { get; set; }

    /// <summary>
    /// Gets or sets whether message contents are included in telemetry. Null (the default) leaves M.E.AI's own default:
    /// off unless the <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> environment variable is <c>true</c>.
    /// <c>AddExecutus()</c> sets it from <c>Executus:Telemetry:EnableSensitiveData</c> when that key is present.
    /// </summary>
    public bool? EnableSensitiveData { get; set; }

    /// <summary>Gets or sets the logger factory for the OpenTelemetry client, if any.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
