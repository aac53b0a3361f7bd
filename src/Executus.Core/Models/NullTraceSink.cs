namespace Executus.Models;

/// <summary>The default <see cref="ITraceSink"/>: discards every record.</summary>
public sealed class NullTraceSink : ITraceSink
{
    private NullTraceSink()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static NullTraceSink Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask RecordAsync(ModelTraceRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
