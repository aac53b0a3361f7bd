using Executus.Identity;

namespace Executus.Schedules;

/// <summary>What a <see cref="Schedule"/> fires: an agent or a skill by name, the input it is given and who asks.</summary>
/// <param name="Kind">An agent or a skill.</param>
/// <param name="Name">The agent's or the skill's name.</param>
/// <param name="Input">The user message the run starts with.</param>
public sealed record ScheduleTarget(ScheduleTargetKind Kind, string Name, string Input)
{
    /// <summary>Gets the identity the run is made for (budgets, tool permissions, lanes and audit use it); anonymous by default.</summary>
    public CallerIdentity Caller { get; init; } = CallerIdentity.Anonymous;

    /// <summary>Gets, for a <see cref="ScheduleTargetKind.Skill"/> target, the agent that runs the skill (required then).</summary>
    public string? Agent { get; init; }

    /// <summary>Creates a target that runs an agent.</summary>
    /// <param name="agent">The agent's name.</param>
    /// <param name="input">The user message.</param>
    /// <param name="caller">Who the run is for; anonymous when null.</param>
    /// <returns>The target.</returns>
    public static ScheduleTarget ForAgent(string agent, string input, CallerIdentity? caller = null) =>
        new(ScheduleTargetKind.Agent, agent, input) { Caller = caller ?? CallerIdentity.Anonymous };

    /// <summary>Creates a target that runs a skill through an agent (the agent loads it with <c>load_skill</c>).</summary>
    /// <param name="skill">The skill's name.</param>
    /// <param name="agent">The agent that runs it.</param>
    /// <param name="input">The user message.</param>
    /// <param name="caller">Who the run is for; anonymous when null.</param>
    /// <returns>The target.</returns>
    public static ScheduleTarget ForSkill(string skill, string agent, string input, CallerIdentity? caller = null) =>
        new(ScheduleTargetKind.Skill, skill, input) { Agent = agent, Caller = caller ?? CallerIdentity.Anonymous };
}
