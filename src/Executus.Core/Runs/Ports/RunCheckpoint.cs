using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// A serializable snapshot of a run in progress, enough to resume it after a crash or restart
/// (<see cref="RunRequest.Resume(RunCheckpoint)"/>). It round-trips through <c>System.Text.Json</c> with M.E.AI's
/// <see cref="AIJsonUtilities.DefaultOptions"/> (every transcript content type: text, function call and result, data,
/// usage, reasoning); <see cref="SchemaVersion"/> lets a store refuse or migrate snapshots written by another version.
/// </summary>
public sealed record RunCheckpoint
{
    // Why: the kernel sets both on every snapshot; defaults built only when read keep a skipped turn snapshot small.
    private readonly IReadOnlyDictionary<string, string>? _metadata;
    private UsageDetails? _usage;

    /// <summary>The schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Gets the schema version of this snapshot.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Gets the run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the serializable definition of the agent being run (its name, version and settings).</summary>
    public required AgentSnapshot Agent { get; init; }

    /// <summary>Gets who asked.</summary>
    public required CallerIdentity Caller { get; init; }

    /// <summary>
    /// Gets the conversation so far. Calls interrupted by a timeout or a cancellation carry an explicit
    /// "cancelled"/"timed out" result. Only a <see cref="CheckpointBoundary.BeforeSideEffects"/> snapshot ends with
    /// unanswered calls (they were about to run); a run resumed from it re-runs the calls of tools safe to repeat
    /// (<see cref="Tooling.ToolMetadata.IsSafeToRepeat"/>) and answers the others "interrupted; may or may not have
    /// taken effect", so the model decides.
    /// </summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Gets how many model calls the run has made.</summary>
    public int Iteration { get; init; }

    /// <summary>Gets the tokens used so far (every call made on behalf of the run).</summary>
    public UsageDetails Usage
    {
        get => _usage ??= new();
        init => _usage = value;
    }

    /// <summary>Gets the run time used so far; a resumed run gets its timeout minus this.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets the request's metadata (carried into audit and delivery).</summary>
    public IReadOnlyDictionary<string, string> Metadata
    {
        get => _metadata ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        init => _metadata = value;
    }

    /// <summary>Gets whether the run was detached from its caller's cancellation.</summary>
    public bool Detached { get; init; }

    /// <summary>Gets the phase the run was in (<see cref="RunContext.ActivePhase"/>); a resumed phased run continues in it.</summary>
    public string? ActivePhase { get; init; }

    /// <summary>
    /// Gets the phases entered so far with their hand-offs (the last one <see cref="PhaseStatus.Running"/>); empty for an
    /// agent without phases.
    /// </summary>
    public IReadOnlyList<PhaseRun> Phases { get; init; } = [];

    /// <summary>Gets when the snapshot was taken.</summary>
    public DateTimeOffset SavedAt { get; init; }

    /// <summary>
    /// Gets why the kernel took the snapshot: a throttling checkpointer may skip <see cref="CheckpointBoundary.Turn"/>
    /// snapshots inside its interval but writes the others at once.
    /// </summary>
    public CheckpointBoundary Boundary { get; init; }

    /// <summary>
    /// Gets why the run was paused for a human (<see cref="RunOutcome.Paused"/>), or <see langword="null"/> for a run in
    /// progress or interrupted. A paused checkpoint is a run end snapshot that waits for an explicit resume; automatic
    /// recovery skips it. A resumed run's later snapshots are not paused.
    /// </summary>
    public string? PausedReason { get; init; }
}
