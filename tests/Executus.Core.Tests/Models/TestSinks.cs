using System.Collections.Concurrent;
using Executus.Models;

namespace Executus.Core.Tests.Models;

internal sealed class CollectingUsageSink : IUsageSink
{
    public ConcurrentQueue<UsageRecord> Records { get; } = new();

    public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        Records.Enqueue(record);
        return ValueTask.CompletedTask;
    }
}

internal sealed class CollectingTraceSink : ITraceSink
{
    public ConcurrentQueue<ModelTraceRecord> Records { get; } = new();

    public ValueTask RecordAsync(ModelTraceRecord record, CancellationToken cancellationToken = default)
    {
        Records.Enqueue(record);
        return ValueTask.CompletedTask;
    }
}
