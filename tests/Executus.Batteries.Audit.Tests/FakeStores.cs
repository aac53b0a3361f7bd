using Executus.Batteries.Audit;

namespace Executus.Batteries.Audit.Tests;

/// <summary>A store that blocks every append until released, and says when an append is waiting.</summary>
internal sealed class GatedAuditStore : IAuditStore
{
    private readonly InMemoryAuditStore _inner = new(AuditRetention.Unbounded);
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InMemoryAuditStore Inner => _inner;

    public void Open() => _gate.TrySetResult();

    public async ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        Entered.TrySetResult();
        await _gate.Task;
        await _inner.AppendAsync(records, cancellationToken);
    }

    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        _inner.GetToolCountsAsync(since, until, cancellationToken);
}

/// <summary>A store that fails its first <c>failures</c> appends (all of them when negative).</summary>
internal sealed class FailingAuditStore(int failures = -1) : IAuditStore
{
    private int _calls;

    public InMemoryAuditStore Inner { get; } = new(AuditRetention.Unbounded);

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        if (failures < 0 || call <= failures)
        {
            throw new InvalidOperationException("database is locked");
        }

        return Inner.AppendAsync(records, cancellationToken);
    }

    public ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => Inner.QueryAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<ToolCallCounts>> GetToolCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        Inner.GetToolCountsAsync(since, until, cancellationToken);
}
