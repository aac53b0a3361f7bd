using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>The usage of one completed model call, as given to <see cref="IUsageSink"/>.</summary>
public sealed record UsageRecord
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

    /// <summary>Gets the phase of a phased run the call was made in, from <see cref="ModelCallContext"/>.</summary>
    public string? Phase { get; init; }

    /// <summary>Gets the token usage the provider reported, or null when it reported none.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the wall time of the call (for streaming: until the last update).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Gets when the call finished.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets whether the call was streamed.</summary>
    public bool Streaming { get; init; }
}
