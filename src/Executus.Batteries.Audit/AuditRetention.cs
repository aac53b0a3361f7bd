using Executus.Configuration;

namespace Executus.Batteries.Audit;

/// <summary>How long an audit store keeps records: by age (observed time) and/or by count. Null = no bound.</summary>
/// <param name="MaxAge">Records observed longer ago than this are dropped.</param>
/// <param name="MaxCount">At most this many records are kept (the oldest go first).</param>
public sealed record AuditRetention(TimeSpan? MaxAge = null, long? MaxCount = null)
{
    /// <summary>Gets a retention that keeps everything.</summary>
    public static AuditRetention Unbounded { get; } = new();

    /// <summary>
    /// Reads <c>Executus:Audit:Retention:MaxAge</c> (a positive duration, default 30 days) and
    /// <c>Executus:Audit:Retention:MaxCount</c> (at least 1) — the one reading every audit store registration shares.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="defaultMaxCount">The count bound when the key is unset (stores differ: memory vs disk).</param>
    /// <returns>The retention.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range; the exception names the key and quotes the value.</exception>
    public static AuditRetention FromConfig(IConfigSource config, long defaultMaxCount)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(defaultMaxCount);
        return new AuditRetention(
            config.GetDuration(AuditWriterOptions.ConfigPrefix + "Retention:MaxAge", TimeSpan.FromDays(30), TimeSpan.FromTicks(1), TimeSpan.MaxValue),
            config.GetLong(AuditWriterOptions.ConfigPrefix + "Retention:MaxCount", defaultMaxCount, 1));
    }

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
