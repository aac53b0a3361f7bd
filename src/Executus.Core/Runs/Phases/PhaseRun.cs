using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// One phase of a run as it went (<see cref="RunResult.Phases"/>) or stands (<see cref="RunCheckpoint.Phases"/>):
/// serializable with <see cref="AIJsonUtilities.DefaultOptions"/>.
/// </summary>
public sealed record PhaseRun
{
    /// <summary>Gets the phase's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets where the phase stands.</summary>
    public PhaseStatus Status { get; init; }

    /// <summary>Gets the run's model-call count when the phase started (its calls are numbered after it).</summary>
    public int StartIteration { get; init; }

    /// <summary>Gets the model calls the phase made.</summary>
    public int Iterations { get; init; }

    /// <summary>Gets the tokens of every call made in the phase (compaction summaries and critic calls included).</summary>
    public UsageDetails Usage { get; init; } = new();

    /// <summary>
    /// Gets the phase's hand-off: the <c>handoff</c> argument of <see cref="AgentPhase.FinishPhaseToolName"/>, or the
    /// answer's text (a JSON string) for an <see cref="PhaseCompletion.Answer"/> phase; null when none was given.
    /// </summary>
    public JsonElement? Handoff { get; init; }

    /// <summary>Gets why the phase ended as it did (the limit it reached), when there is more to say than the status.</summary>
    public string? Reason { get; init; }
}
