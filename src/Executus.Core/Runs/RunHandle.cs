namespace Executus.Runs;

/// <summary>A started run: its id now, its result when it ends. Returned by <see cref="Executor.Start"/>.</summary>
public sealed class RunHandle
{
    internal RunHandle(string runId, Task<RunResult> completion)
    {
        RunId = runId;
        Completion = completion;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>Gets a task that completes with the run's result. It never faults: errors become <see cref="RunOutcome.Failed"/>.</summary>
    public Task<RunResult> Completion { get; }
}
