using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What <see cref="ICritic.ReviewAsync"/> is shown.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Agent">The agent.</param>
/// <param name="Caller">Who asked.</param>
/// <param name="Iteration">Model calls made so far.</param>
/// <param name="Elapsed">Run time used so far (before a resume included).</param>
/// <param name="Timeout">The run's current timeout (extensions included; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none).</param>
/// <param name="Messages">The conversation so far (read-only).</param>
public sealed record CriticReview(
    string RunId,
    RunnableAgent Agent,
    CallerIdentity Caller,
    int Iteration,
    TimeSpan Elapsed,
    TimeSpan Timeout,
    IReadOnlyList<ChatMessage> Messages)
{
    /// <summary>Gets why the critic is asked now.</summary>
    public CriticTrigger Trigger { get; init; }

    /// <summary>Gets the phase the run is in, for a phased agent (<see cref="RunnableAgent.Phases"/>).</summary>
    public string? Phase { get; init; }

    /// <summary>Gets the tokens used so far by every call made on behalf of the run.</summary>
    public UsageDetails Usage { get; init; } = new();

    /// <summary>
    /// Gets the run time used before the run was last resumed after a pause for a human (<see cref="RunOutcome.Paused"/>),
    /// or zero for a run never paused. The human who resumes a paused run gives it a new time budget, so deadlines count
    /// from here: <see cref="Elapsed"/> minus this is the time of the current stretch.
    /// </summary>
    public TimeSpan ResumedAfter { get; init; }
}
