using Executus.Runs;

namespace Executus.Schedules;

/// <summary>
/// The default <see cref="IScheduleStore"/>: schedules, state and leases in this process's memory.
/// </summary>
/// <remarks>
/// <b>It does not survive a restart</b>: schedules come back only if the host saves them again at start-up, and their
/// last/next fire times are then recomputed (missed occurrences are not seen). Register a durable store (the SQLite
/// store of <c>Executus.Contrib.Sqlite</c>, or your own) for persistence or for several hosts.
/// </remarks>
public sealed class InMemoryScheduleStore : IScheduleStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Schedule> _schedules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScheduleLease> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask SaveAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        cancellationToken.ThrowIfCancellationRequested();
        schedule.Validate();
        Schedule stored = schedule with { NextFireAt = schedule.NextFireAt?.ToUniversalTime(), LastFireAt = schedule.LastFireAt?.ToUniversalTime() };
        lock (_lock)
        {
            if (_schedules.TryGetValue(schedule.Id, out Schedule? existing))
            {
                stored = stored with { LastFireAt = existing.LastFireAt, LastOutcome = existing.LastOutcome, LastRunId = existing.LastRunId };
            }

            _schedules[schedule.Id] = stored;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<Schedule?> GetAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_schedules.GetValueOrDefault(scheduleId));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<Schedule>>([.. _schedules.Values]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_schedules.Remove(scheduleId));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AdvanceAsync(string scheduleId, DateTimeOffset? expectedNextFireAt, DateTimeOffset? nextFireAt, DateTimeOffset? lastFireAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_schedules.TryGetValue(scheduleId, out Schedule? existing) || existing.NextFireAt != expectedNextFireAt)
            {
                return ValueTask.FromResult(false);
            }

            _schedules[scheduleId] = existing with
            {
                NextFireAt = nextFireAt?.ToUniversalTime(),
                LastFireAt = lastFireAt?.ToUniversalTime() ?? existing.LastFireAt,
            };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RecordOutcomeAsync(string scheduleId, string runId, RunOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_schedules.TryGetValue(scheduleId, out Schedule? existing))
            {
                return ValueTask.FromResult(false);
            }

            _schedules[scheduleId] = existing with { LastOutcome = outcome, LastRunId = runId };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<ScheduleLease?> TryAcquireLeaseAsync(string scheduleId, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset expires = (now + duration).ToUniversalTime();
        lock (_lock)
        {
            if (_leases.TryGetValue(scheduleId, out ScheduleLease? held) && held.ExpiresAt > now)
            {
                if (!string.Equals(held.Owner, owner, StringComparison.Ordinal))
                {
                    return ValueTask.FromResult<ScheduleLease?>(null);
                }

                ScheduleLease renewed = held with { ExpiresAt = expires };
                _leases[scheduleId] = renewed;
                return ValueTask.FromResult<ScheduleLease?>(renewed);
            }

            long token = _tokens.GetValueOrDefault(scheduleId) + 1;
            _tokens[scheduleId] = token;
            var lease = new ScheduleLease(scheduleId, owner, expires, token);
            _leases[scheduleId] = lease;
            return ValueTask.FromResult<ScheduleLease?>(lease);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseLeaseAsync(ScheduleLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_leases.TryGetValue(lease.ScheduleId, out ScheduleLease? held)
                && held.Token == lease.Token
                && string.Equals(held.Owner, lease.Owner, StringComparison.Ordinal))
            {
                _leases.Remove(lease.ScheduleId);
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }
}
