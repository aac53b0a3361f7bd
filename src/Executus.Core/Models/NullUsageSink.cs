namespace Executus.Models;

/// <summary>The default <see cref="IUsageSink"/>: discards every record.</summary>
public sealed class NullUsageSink : IUsageSink
{
    private NullUsageSink()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static NullUsageSink Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
