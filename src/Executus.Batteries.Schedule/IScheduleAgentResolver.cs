using Executus.Identity;
using Executus.Runs;

namespace Executus.Schedules;

/// <summary>
/// Makes the agent a schedule's firing runs, for the schedule's caller. Without one, <see cref="ScheduleRunner"/> asks
/// the <see cref="IAgentCatalog"/>, which knows no caller outside a run; with the batteries (<c>AddBatteries</c>) the
/// firing gets its agent the way a chat run does: the persona's access check and personalization for that caller, and
/// the skills catalog.
/// </summary>
public interface IScheduleAgentResolver
{
    /// <summary>Makes the agent named <paramref name="agentName"/> for a run on behalf of <paramref name="caller"/>.</summary>
    /// <param name="agentName">The target's agent (for a skill target, the agent that runs the skill).</param>
    /// <param name="caller">The schedule's caller.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agent, or <see langword="null"/> when there is none by that name.</returns>
    ValueTask<RunnableAgent?> ResolveAsync(string agentName, CallerIdentity caller, CancellationToken cancellationToken = default);
}
