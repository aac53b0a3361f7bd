namespace Executus.Runs;

/// <summary>
/// Receives a run's events as they happen (step started/finished, model call, tool call and result, compaction,
/// outcome). An observer that throws is logged and ignored: it never ends the run.
/// </summary>
public interface IRunObserver
{
    /// <summary>Handles one event.</summary>
    /// <param name="runEvent">The event.</param>
    /// <param name="cancellationToken">The run's token.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default);
}
