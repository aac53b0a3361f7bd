using Executus.Configuration;

namespace Executus.Batteries.Audit;

/// <summary>
/// Settings of <see cref="AuditWriter"/>, read by <see cref="FromConfig"/> from <c>Executus:Audit:*</c>:
/// <c>Capacity</c> (queued events, default 10000), <c>BatchSize</c> (default 256), <c>FullWait</c> (how long a run
/// waits for room when the queue is full before the event is dropped and counted, default <c>100ms</c>),
/// <c>StoreRetries</c> (default 2), <c>RetryDelay</c> (default <c>200ms</c>), <c>DrainTimeout</c> (how long a synchronous
/// dispose waits for the queue to drain, default <c>5s</c>), <c>MaxValueLength</c> (the default redactor's truncation,
/// default 2048), <c>Linger</c> and <c>WriteInline</c>.
/// </summary>
public sealed class AuditWriterOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Audit:";

    /// <summary>Gets or sets how many events may wait for the store.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Gets or sets the most events handed to the store at once.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Gets or sets how long a run waits for room in a full queue before its event is dropped (and counted).</summary>
    public TimeSpan FullWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets how many times a failed batch is retried before it is dropped (and counted).</summary>
    public int StoreRetries { get; set; } = 2;

    /// <summary>Gets or sets the pause before a retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets how long a synchronous <see cref="AuditWriter.Dispose"/> waits for the queue to drain.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the longest value the default redactor keeps whole.</summary>
    public int MaxValueLength { get; set; } = 2048;

    /// <summary>
    /// Gets or sets how long the writer gathers events after writing a batch smaller than <see cref="BatchSize"/>
    /// before it looks again (<c>Executus:Audit:Linger</c>, default 1 ms; zero writes each event as soon as it arrives).
    /// </summary>
    /// <remarks>
    /// Why: waking the writer for every event costs a thread hop per event, more than the rest of auditing it; a short
    /// linger makes it one wake per burst. The linger runs on the real clock (it is a throughput knob, not behaviour);
    /// <see cref="AuditWriter.FlushAsync"/> and disposal cut it short, and a run never waits on it.
    /// </remarks>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Gets or sets whether an event bound for an <see cref="InMemoryAuditStore"/> is redacted and stored on the
    /// recording thread when nothing is queued and the store is free at that moment (<c>Executus:Audit:WriteInline</c>,
    /// default <see langword="true"/>); otherwise it is queued like any other. Other stores are always written by the
    /// background loop.
    /// </summary>
    /// <remarks>
    /// Why: storing in memory costs less than queueing does (a queued event waits for the writer's thread and, while it
    /// waits, survives garbage collections). The run never waits for the store: when a query or another writer holds it,
    /// the event is queued instead.
    /// </remarks>
    public bool WriteInline { get; set; } = true;

    /// <summary>Reads the options from <paramref name="config"/>.</summary>
    /// <param name="config">The source.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range; the exception names the key.</exception>
    public static AuditWriterOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new AuditWriterOptions();
        return new AuditWriterOptions
        {
            Capacity = config.GetInt(ConfigPrefix + "Capacity", defaults.Capacity, 1, 10_000_000),
            BatchSize = config.GetInt(ConfigPrefix + "BatchSize", defaults.BatchSize, 1, 100_000),
            FullWait = config.GetDuration(ConfigPrefix + "FullWait", defaults.FullWait),
            StoreRetries = config.GetInt(ConfigPrefix + "StoreRetries", defaults.StoreRetries, 0, 100),
            RetryDelay = config.GetDuration(ConfigPrefix + "RetryDelay", defaults.RetryDelay),
            DrainTimeout = config.GetDuration(ConfigPrefix + "DrainTimeout", defaults.DrainTimeout),
            MaxValueLength = config.GetInt(ConfigPrefix + "MaxValueLength", defaults.MaxValueLength, 16, int.MaxValue),
            Linger = config.GetDuration(ConfigPrefix + "Linger", defaults.Linger, TimeSpan.Zero, TimeSpan.FromSeconds(1)),
            WriteInline = config.GetBool(ConfigPrefix + "WriteInline", defaults.WriteInline),
        };
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Capacity, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(StoreRetries, nameof(StoreRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(FullWait, TimeSpan.Zero, nameof(FullWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(DrainTimeout, TimeSpan.Zero, nameof(DrainTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueLength, 16, nameof(MaxValueLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(Linger, TimeSpan.Zero, nameof(Linger));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Linger, TimeSpan.FromSeconds(1), nameof(Linger));
    }
}
