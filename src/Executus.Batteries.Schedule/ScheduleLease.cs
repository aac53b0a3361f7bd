namespace Executus.Schedules;

/// <summary>
/// A host's claim on one schedule (<see cref="IScheduleStore.TryAcquireLeaseAsync"/>): while it holds an unexpired
/// lease no other host fires that schedule, so hosts sharing one store fire each occurrence once.
/// </summary>
/// <param name="ScheduleId">The schedule.</param>
/// <param name="Owner">The host that holds it (the runner's <c>HostId</c>).</param>
/// <param name="ExpiresAt">When it ends unless renewed.</param>
/// <param name="Token">A fencing token: it grows every time the lease changes hands, never on a renewal.</param>
public sealed record ScheduleLease(string ScheduleId, string Owner, DateTimeOffset ExpiresAt, long Token);
