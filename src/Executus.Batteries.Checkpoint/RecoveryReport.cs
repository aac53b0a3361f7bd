using Executus.Runs;

namespace Executus.Checkpoints;

/// <summary>What <see cref="InterruptedRunRecovery"/> did at start-up.</summary>
public sealed record RecoveryReport
{
    /// <summary>Gets the runs resumed, with the task of each resumed run's result.</summary>
    public IReadOnlyDictionary<string, Task<RunResult>> Resumed { get; init; } = new Dictionary<string, Task<RunResult>>();

    /// <summary>Gets the runs abandoned (by policy, or after the retry cap).</summary>
    public IReadOnlyList<string> Abandoned { get; init; } = [];

    /// <summary>Gets the runs an operator was told about.</summary>
    public IReadOnlyList<string> Notified { get; init; } = [];

    /// <summary>Gets the runs whose resume could not start (kept for the next start-up until the retry cap).</summary>
    public IReadOnlyList<string> Failed { get; init; } = [];

    /// <summary>Gets the runs paused for a human (<see cref="RunOutcome.Paused"/>): left alone, waiting for an explicit resume or abandon.</summary>
    public IReadOnlyList<string> Paused { get; init; } = [];

    /// <summary>Gets how many old checkpoints were pruned.</summary>
    public int Pruned { get; init; }
}
