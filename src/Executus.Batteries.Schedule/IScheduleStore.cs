using Executus.Runs;

namespace Executus.Schedules;

/// <summary>
/// Where schedules and their firing state live. The default, <see cref="InMemoryScheduleStore"/>, does not survive a
/// restart; durable stores (SQLite, PostgreSQL) implement the same contract, proven by the conformance suite in
/// <c>Executus.Testing.Conformance</c> (<c>ScheduleStoreConformanceTests</c>).
/// </summary>
/// <remarks>
/// <para>Each method is atomic for its schedule. Times are stored to the tick and returned in UTC.</para>
/// <para>Exactly-once firing across hosts rests on two steps: a host first takes the schedule's lease
/// (<see cref="TryAcquireLeaseAsync"/>; leases are keyed by schedule id and independent of the schedule records), then
/// moves the schedule's next fire time with a compare-and-set (<see cref="AdvanceAsync"/>) BEFORE it starts the run. A
/// host whose lease expired mid-way therefore loses the compare-and-set instead of firing twice. Lease expiry is judged
/// against the <c>now</c> the caller passes (hosts sharing a store need roughly synchronised clocks).</para>
/// </remarks>
public interface IScheduleStore
{
    /// <summary>
    /// Validates (<see cref="Schedule.Validate"/>) and upserts a schedule's definition together with its
    /// <see cref="Schedule.NextFireAt"/>. For an existing schedule the stored <see cref="Schedule.LastFireAt"/>,
    /// <see cref="Schedule.LastOutcome"/> and <see cref="Schedule.LastRunId"/> are kept (they belong to the runner);
    /// a new schedule is stored with them as given.
    /// </summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the schedule is stored.</returns>
    /// <exception cref="ScheduleValidationException">The schedule is not valid; nothing was stored.</exception>
    ValueTask SaveAsync(Schedule schedule, CancellationToken cancellationToken = default);

    /// <summary>Reads a schedule with its state.</summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The schedule, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<Schedule?> GetAsync(string scheduleId, CancellationToken cancellationToken = default);

    /// <summary>Lists every schedule with its state, ordered by id (ordinal).</summary>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The schedules.</returns>
    ValueTask<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a schedule (its lease, if any, stays until it expires or is released).</summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when there was one.</returns>
    ValueTask<bool> DeleteAsync(string scheduleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a schedule's next fire time when it still is <paramref name="expectedNextFireAt"/> (compare-and-set; null
    /// matches null), and, when <paramref name="lastFireAt"/> is given, records it as the last occurrence fired.
    /// </summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="expectedNextFireAt">The next fire time the caller read.</param>
    /// <param name="nextFireAt">The new next fire time (null = none planned).</param>
    /// <param name="lastFireAt">The occurrence being fired, or null to leave the last fire time unchanged.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the schedule moved; <see langword="false"/> when it is missing or its next fire time changed meanwhile.</returns>
    ValueTask<bool> AdvanceAsync(string scheduleId, DateTimeOffset? expectedNextFireAt, DateTimeOffset? nextFireAt, DateTimeOffset? lastFireAt, CancellationToken cancellationToken = default);

    /// <summary>Records how a firing ended (the last one to finish wins).</summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="runId">The run's id.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the schedule exists.</returns>
    ValueTask<bool> RecordOutcomeAsync(string scheduleId, string runId, RunOutcome outcome, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes or renews a schedule's lease. Succeeds when nobody holds it, when the holder's lease expired
    /// (<see cref="ScheduleLease.ExpiresAt"/> ≤ <paramref name="now"/>; the token grows), or when <paramref name="owner"/>
    /// holds it (a renewal: same token, later expiry).
    /// </summary>
    /// <param name="scheduleId">The schedule's id (the schedule need not exist).</param>
    /// <param name="owner">The host asking.</param>
    /// <param name="now">The host's current time.</param>
    /// <param name="duration">How long the lease lasts from <paramref name="now"/> (positive).</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The lease, or <see langword="null"/> when another owner holds an unexpired one.</returns>
    ValueTask<ScheduleLease?> TryAcquireLeaseAsync(string scheduleId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease back, when it is still the current one (same owner and token).</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when it was released; <see langword="false"/> when it had expired and changed hands, or was released already.</returns>
    ValueTask<bool> ReleaseLeaseAsync(ScheduleLease lease, CancellationToken cancellationToken = default);
}
