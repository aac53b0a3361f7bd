namespace Executus.Runs;

/// <summary>The default <see cref="ICheckpointer"/>: keeps nothing.</summary>
public sealed class NullCheckpointer : ICheckpointer
{
    /// <summary>Gets a shared instance.</summary>
    public static NullCheckpointer Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask SaveAsync(RunCheckpoint checkpoint, int savedMessageCount, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask FailAsync(string runId, RunOutcome outcome, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
