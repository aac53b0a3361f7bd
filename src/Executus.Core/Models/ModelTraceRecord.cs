using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// One model call (completed or failed) as given to <see cref="ITraceSink"/>. Message contents are not included:
/// content capture is the job of OpenTelemetry with <c>EnableSensitiveData</c>.
/// </summary>
public sealed record ModelTraceRecord
{
    /// <summary>Gets the model id (as the response reports it, else as configured).</summary>
    public required string ModelId { get; init; }

    /// <summary>Gets the provider name.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the tier the call was made through, if any.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets the caller, from <see cref="ModelCallContext"/>.</summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>Gets the run id, from <see cref="ModelCallContext"/>.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets what the call was for, from <see cref="ModelCallContext"/>.</summary>
    public string? Purpose { get; init; }

    /// <summary>Gets how many messages the request carried.</summary>
    public int RequestMessageCount { get; init; }

    /// <summary>Gets the response id, when the call completed and the provider set one.</summary>
    public string? ResponseId { get; init; }

    /// <summary>Gets why the model stopped, when known.</summary>
    public ChatFinishReason? FinishReason { get; init; }

    /// <summary>Gets the token usage, when reported.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the wall time of the call.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Gets when the call finished.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets whether the call was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>Gets the failure, or null when the call completed.</summary>
    public Exception? Error { get; init; }
}
