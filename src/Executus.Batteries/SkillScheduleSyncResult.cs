namespace Executus.Batteries;

/// <summary>What one <see cref="SkillScheduleSync.SyncAsync"/> changed.</summary>
/// <param name="Saved">The ids of schedules added or changed because a skill's schedule is new or changed.</param>
/// <param name="Removed">The ids of schedules deleted because their skill is gone, retired or no longer scheduled.</param>
/// <param name="Unchanged">How many skill schedules already matched their skill.</param>
/// <param name="Skipped">The scheduled skills that could not be scheduled, each as "TENANT/NAME: reason" (shared skills without "TENANT/").</param>
public sealed record SkillScheduleSyncResult(
    IReadOnlyList<string> Saved,
    IReadOnlyList<string> Removed,
    int Unchanged,
    IReadOnlyList<string> Skipped);
