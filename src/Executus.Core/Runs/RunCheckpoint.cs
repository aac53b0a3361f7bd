using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>A snapshot of a run in progress, enough to resume it after a crash or restart.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Agent">The agent being run.</param>
/// <param name="Caller">Who asked.</param>
/// <param name="Messages">The conversation so far.</param>
/// <param name="Iteration">How many model calls the run has made.</param>
/// <param name="SavedAt">When the snapshot was taken.</param>
public sealed record RunCheckpoint(
    string RunId,
    RunnableAgent Agent,
    CallerIdentity Caller,
    IReadOnlyList<ChatMessage> Messages,
    int Iteration,
    DateTimeOffset SavedAt)
{
    /// <summary>Gets the name of the phase the run was in, for hosts that run multi-phase agents.</summary>
    public string? ActivePhase { get; init; }
}
