using Executus.Identity;
using Executus.Schedules;
using Executus.Skills;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Batteries;

/// <summary>
/// Keeps one schedule per active skill that has a <see cref="SkillSchedule"/> (a SKILL.md with
/// <c>executus.schedule</c> metadata): at start, then every <see cref="SkillScheduleOptions.SyncInterval"/>, and when
/// <see cref="SyncAsync"/> is called. <c>AddBatteries</c> runs it as a hosted service when the Skill and Schedule
/// batteries are both on.
/// </summary>
/// <remarks>
/// <para>The schedules it owns are those whose id starts with <see cref="SkillScheduleOptions.ScheduleIdPrefix"/>:
/// <c>skill:NAME</c> for a shared skill, <c>skill:TENANT/NAME</c> for a tenant's. Each runs its skill through the
/// schedule's agent (<see cref="SkillSchedule.Agent"/>, else <see cref="SkillScheduleOptions.Agent"/>) for the caller
/// <see cref="SkillScheduleOptions.Caller"/> (in the skill's tenant). A schedule whose skill is deleted, retired or no
/// longer scheduled is removed; one whose skill's cron, time zone, input or agent changed is saved again (its last
/// firing is kept, occurrences it had missed are dropped). What the skill file does not say is the host's and is kept:
/// whether the schedule is enabled (an operator may switch it off), its misfire and overlap policies, jitter and lane.
/// Other schedules are never touched.</para>
/// <para>A skill that cannot be scheduled (no agent, or a schedule the Schedule battery refuses) is reported in
/// <see cref="SkillScheduleSyncResult.Skipped"/> and logged as a warning, once while the reason stays the same; the
/// other skills are still synced. Hosts sharing a store may all sync: every write is an idempotent upsert or delete.</para>
/// </remarks>
public sealed partial class SkillScheduleSync : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly ISkillStore _skills;
    private readonly ScheduleRunner _runner;
    private readonly SkillScheduleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private HashSet<string> _reported = new(StringComparer.Ordinal);
    private Task? _loop;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="SkillScheduleSync"/> class.</summary>
    /// <param name="skills">The skill store to read.</param>
    /// <param name="runner">The schedule runner to save schedules through (it wakes on each save).</param>
    /// <param name="options">The settings; <see cref="SkillScheduleOptions"/>'s defaults when null.</param>
    /// <param name="timeProvider">The clock for the periodic sync; the system clock when null.</param>
    /// <param name="logger">Where skipped skills and sync failures are logged.</param>
    public SkillScheduleSync(ISkillStore skills, ScheduleRunner runner, SkillScheduleOptions? options = null, TimeProvider? timeProvider = null, ILogger<SkillScheduleSync>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(skills);
        ArgumentNullException.ThrowIfNull(runner);
        _skills = skills;
        _runner = runner;
        _options = options ?? new SkillScheduleOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.Caller, "options.Caller");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.SyncInterval, TimeSpan.Zero, "options.SyncInterval");
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the schedule id for a skill.</summary>
    /// <param name="tenant">The skill's tenant (null: shared).</param>
    /// <param name="name">The skill's name.</param>
    /// <returns><c>skill:NAME</c>, or <c>skill:TENANT/NAME</c>.</returns>
    public static string ScheduleIdFor(string? tenant, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return tenant is null ? SkillScheduleOptions.ScheduleIdPrefix + name : $"{SkillScheduleOptions.ScheduleIdPrefix}{tenant}/{name}";
    }

    /// <summary>Brings the skill schedules in line with the skills now (also what the periodic sync does).</summary>
    /// <param name="cancellationToken">A token to cancel the sync (what was written stays).</param>
    /// <returns>What changed.</returns>
    public async Task<SkillScheduleSyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        if (!_options.Enabled)
        {
            return new([], [], 0, []);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SyncCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Syncs once, then keeps syncing every <see cref="SkillScheduleOptions.SyncInterval"/>. A store that fails the first
    /// sync is logged and tried again at the next interval: the host still starts.
    /// </summary>
    /// <param name="cancellationToken">A token to abort the start.</param>
    /// <returns>A task that completes when the first sync is done or has failed.</returns>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled || _loop is not null)
        {
            return;
        }

        try
        {
            await SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // Why: keeping skills' schedules is auxiliary; a store busy at start must not stop the host's chat or runs.
            LogSyncFailed(_logger, ex);
        }

        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops the periodic sync.</summary>
    /// <param name="cancellationToken">A token to stop waiting for a sync under way.</param>
    /// <returns>A task that completes when the loop has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    /// <summary>Stops the periodic sync without waiting for it (a container disposed synchronously calls this).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Why: the loop ends at its next await once cancelled; the token source stays undisposed for it to observe.
        _stopping.Cancel();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.SyncInterval, _time, stopping).ConfigureAwait(false);
                await SyncAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Why: a store that is down for a moment must not end the loop; the next interval tries again.
                LogSyncFailed(_logger, ex);
            }
        }
    }

    private async Task<SkillScheduleSyncResult> SyncCoreAsync(CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, Schedule>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (string? tenant in (IEnumerable<string?>)[null, .. _options.Tenants.Distinct(StringComparer.Ordinal)])
        {
            string? cursor = null;
            do
            {
                SkillPage page = await _skills.ListAsync(tenant, SkillState.Active, cursor, 100, cancellationToken).ConfigureAwait(false);
                foreach (SkillInfo info in page.Items)
                {
                    if (await _skills.GetAsync(tenant, info.Name, null, cancellationToken).ConfigureAwait(false) is not { Skill.Schedule: { } schedule })
                    {
                        continue;
                    }

                    string id = ScheduleIdFor(tenant, info.Name);
                    string? agent = schedule.Agent ?? _options.Agent;
                    if (agent is null)
                    {
                        skipped.Add($"{Label(tenant, info.Name)}: no agent runs it (set '{SkillFolderLoader.ScheduleAgentKey}' in the skill or {SkillScheduleOptions.ConfigPrefix}Agent)");
                        continue;
                    }

                    var caller = new CallerIdentity(_options.Caller, tenantKey: tenant, roles: _options.Roles);
                    Schedule candidate = new(id, schedule.Cron, ScheduleTarget.ForSkill(info.Name, agent, schedule.Input ?? string.Empty, caller))
                    {
                        TimeZone = schedule.TimeZone ?? "UTC",
                    };
                    try
                    {
                        candidate.Validate();
                    }
                    catch (ScheduleValidationException ex)
                    {
                        skipped.Add($"{Label(tenant, info.Name)}: {ex.Message}");
                        continue;
                    }

                    wanted[id] = candidate;
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        var saved = new List<string>();
        var removed = new List<string>();
        int unchanged = 0;
        var existing = new Dictionary<string, Schedule>(StringComparer.Ordinal);
        foreach (Schedule current in await _runner.Store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (current.Id.StartsWith(SkillScheduleOptions.ScheduleIdPrefix, StringComparison.Ordinal))
            {
                existing[current.Id] = current;
            }
        }

        foreach ((string id, Schedule wantedSchedule) in wanted)
        {
            Schedule candidate = wantedSchedule;
            if (existing.TryGetValue(id, out Schedule? current))
            {
                if (SameDefinition(current, candidate))
                {
                    unchanged++;
                    continue;
                }

                // Why: the skill file owns when and what runs; how it runs (switched off by an operator, misfire and
                // overlap policies, jitter, lane) belongs to the host and survives a change of the skill.
                candidate = candidate with
                {
                    Enabled = current.Enabled,
                    Misfire = current.Misfire,
                    MaxCatchUp = current.MaxCatchUp,
                    Overlap = current.Overlap,
                    Jitter = current.Jitter,
                    Lane = current.Lane,
                };
            }

            await _runner.SaveAsync(candidate, cancellationToken).ConfigureAwait(false);
            saved.Add(id);
            LogSaved(_logger, id, candidate.Cron, candidate.TimeZone, candidate.Target.Agent!);
        }

        foreach (string id in existing.Keys)
        {
            if (!wanted.ContainsKey(id) && await _runner.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(id);
                LogRemoved(_logger, id);
            }
        }

        ReportSkipped(skipped);
        return new(saved, removed, unchanged, skipped);
    }

    // Why: the same skill skipped for the same reason is logged once, not every interval; a new or changed reason is.
    private void ReportSkipped(List<string> skipped)
    {
        var now = new HashSet<string>(skipped, StringComparer.Ordinal);
        foreach (string entry in skipped)
        {
            if (!_reported.Contains(entry))
            {
                LogSkipped(_logger, entry);
            }
        }

        _reported = now;
    }

    private static bool SameDefinition(Schedule current, Schedule wanted) =>
        current.Cron == wanted.Cron &&
        current.TimeZone == wanted.TimeZone &&
        current.Target.Kind == wanted.Target.Kind &&
        current.Target.Name == wanted.Target.Name &&
        current.Target.Input == wanted.Target.Input &&
        current.Target.Agent == wanted.Target.Agent &&
        current.Target.Caller.Id == wanted.Target.Caller.Id &&
        current.Target.Caller.TenantKey == wanted.Target.Caller.TenantKey &&
        current.Target.Caller.Roles.SetEquals(wanted.Target.Caller.Roles);

    private static string Label(string? tenant, string name) => tenant is null ? name : $"{tenant}/{name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Skill schedule {ScheduleId} saved: '{Cron}' in {TimeZone}, run by the agent {Agent}.")]
    private static partial void LogSaved(ILogger logger, string scheduleId, string cron, string timeZone, string agent);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skill schedule {ScheduleId} removed: its skill is gone, retired or no longer scheduled.")]
    private static partial void LogRemoved(ILogger logger, string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A scheduled skill is not scheduled: {Reason}.")]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syncing skill schedules failed; the next interval tries again.")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
