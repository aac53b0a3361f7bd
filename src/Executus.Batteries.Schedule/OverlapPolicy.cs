namespace Executus.Schedules;

/// <summary>What a schedule does when it is due while its previous firing is still running (<see cref="Schedule.Overlap"/>).</summary>
public enum OverlapPolicy
{
    /// <summary>Skip the new firing (recorded as skipped); the default.</summary>
    Skip,

    /// <summary>Keep one firing waiting and start it when the running one ends; further ones are skipped.</summary>
    QueueOne,

    /// <summary>Start the new firing alongside the running one.</summary>
    Allow,
}
