namespace Executus.Batteries.Audit;

/// <summary>How long an audit store keeps records: by age (observed time) and/or by count. Null = no bound.</summary>
/// <param name="MaxAge">Records observed longer ago than this are dropped.</param>
/// <param name="MaxCount">At most this many records are kept (the oldest go first).</param>
public sealed record AuditRetention(TimeSpan? MaxAge = null, long? MaxCount = null)
{
    /// <summary>Gets a retention that keeps everything.</summary>
    public static AuditRetention Unbounded { get; } = new();

    /// <summary>Checks the bounds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is zero or negative.</exception>
    public void Validate()
    {
        if (MaxAge is { } age)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(age, TimeSpan.Zero, nameof(MaxAge));
        }

        if (MaxCount is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count, nameof(MaxCount));
        }
    }
}
