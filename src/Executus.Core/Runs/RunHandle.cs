namespace Executus.Runs;

/// <summary>A started run: its id now, its result when it ends, and a way to stop it. Returned by <see cref="Executor.Start"/>.</summary>
public sealed class RunHandle
{
    private readonly Func<string, bool> _stop;

    internal RunHandle(string runId, Task<RunResult> completion, Func<string, bool> stop)
    {
        RunId = runId;
        Completion = completion;
        _stop = stop;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>Gets a task that completes with the run's result. It never faults: errors become <see cref="RunOutcome.Failed"/>.</summary>
    public Task<RunResult> Completion { get; }

    /// <summary>
    /// Stops the run (a battery's timer, an operator): its current step is cancelled and it ends
    /// <see cref="RunOutcome.Stopped"/> with <paramref name="reason"/> as <see cref="RunResult.StopReason"/>, then
    /// delivers, audits and fails its checkpoint like any other bound. A run that already ended keeps its outcome.
    /// </summary>
    /// <param name="reason">Why, in words a user can read.</param>
    /// <param name="cancellationToken">Stops waiting for the run to end (the stop itself is not undone).</param>
    /// <returns>The run's result.</returns>
    public Task<RunResult> StopAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (!Completion.IsCompleted)
        {
            _stop(reason);
        }

        return Completion.WaitAsync(cancellationToken);
    }
}
