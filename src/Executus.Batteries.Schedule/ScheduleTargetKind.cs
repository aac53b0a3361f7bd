namespace Executus.Schedules;

/// <summary>What a schedule runs (<see cref="ScheduleTarget.Kind"/>).</summary>
public enum ScheduleTargetKind
{
    /// <summary>An agent by name (resolved through <see cref="Executus.Runs.IAgentCatalog"/>).</summary>
    Agent,

    /// <summary>A skill by name, run by the agent named in <see cref="ScheduleTarget.Agent"/>.</summary>
    Skill,
}
