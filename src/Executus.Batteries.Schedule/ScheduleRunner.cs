using System.Diagnostics.Metrics;
using System.Globalization;
using Executus.Auditing;
using Executus.Lanes;
using Executus.Models;
using Executus.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Schedules;

/// <summary>
/// Fires due schedules: a hosted service driven by <see cref="TimeProvider"/> timers (it sleeps until the earliest
/// firing, or at most <see cref="ScheduleRunnerOptions.RefreshInterval"/>; no busy polling) that runs each firing on a
/// <see cref="Lane"/> through the <see cref="Executor"/>, so a flood of schedules queues fairly instead of starving
/// interactive runs.
/// </summary>
/// <remarks>
/// <para>For each due schedule the runner takes the schedule's lease, re-reads it, decides what to fire (misfire and
/// overlap policies), moves <see cref="Schedule.NextFireAt"/> with a compare-and-set, and only then starts the runs: a
/// restart neither loses nor repeats a firing, and hosts sharing a store fire each occurrence once. While a firing runs
/// the host keeps (renews) the lease, so overlap policies hold across hosts.</para>
/// <para>Catch-up firings (occurrences missed while no host ran the schedule) run one after another and ask the budget
/// port first; a refusal (or a budget that cannot answer) skips that firing and is audited as
/// <see cref="AuditEventKind.BudgetRefused"/>.</para>
/// </remarks>
public sealed partial class ScheduleRunner : IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>The name of the runner's <see cref="Meter"/>.</summary>
    public const string MeterName = ExecutusTelemetry.ScheduleMeterName;

    /// <summary>The run-request metadata key holding the schedule id.</summary>
    public const string ScheduleIdMetadataKey = "executus.schedule.id";

    /// <summary>The run-request metadata key holding the occurrence fired (round-trip "O" format, UTC).</summary>
    public const string OccurrenceMetadataKey = "executus.schedule.occurrence";

    /// <summary>The run-request metadata key saying why the run was fired: <c>due</c>, <c>catch-up</c> or <c>manual</c>.</summary>
    public const string ReasonMetadataKey = "executus.schedule.reason";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_firings = s_meter.CreateCounter<long>("executus.schedule.firings", description: "Schedule firings by result (started, skipped_overlap, skipped_misfire, budget_refused, failed).");

    private readonly IScheduleStore _store;
    private readonly Executor _executor;
    private readonly LaneRegistry? _lanes;
    private readonly IAgentCatalog? _catalog;
    private readonly IScheduleAgentResolver? _agents;
    private readonly ScheduleRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModelTierResolver? _tiers;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _firings = [];
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _disposed;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">Where schedules and their state live.</param>
    /// <param name="executor">Runs the firings (its budget and audit ports are used for catch-up checks).</param>
    /// <param name="lanes">Where lanes come from; firings run directly on the executor when null.</param>
    /// <param name="catalog">Where target agents are found; every firing fails (logged, recorded) when null.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="logger">Logs firings and failures; none when null.</param>
    /// <param name="tiers">
    /// Names the model a tier-only agent calls first (its tier's first <c>provider:model</c> candidate), so the budget
    /// question of a catch-up firing names a priced model; when null, such an agent is named by its tier.
    /// </param>
    /// <param name="agents">Makes a firing's agent for the schedule's caller; the <paramref name="catalog"/> is asked when null.</param>
    public ScheduleRunner(
        IScheduleStore store,
        Executor executor,
        LaneRegistry? lanes = null,
        IAgentCatalog? catalog = null,
        ScheduleRunnerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<ScheduleRunner>? logger = null,
        ModelTierResolver? tiers = null,
        IScheduleAgentResolver? agents = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(executor);
        options ??= new ScheduleRunnerOptions();
        options.Validate();
        _store = store;
        _executor = executor;
        _lanes = lanes;
        _catalog = catalog;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _tiers = tiers;
        _agents = agents;
    }

    /// <summary>Gets the store the runner reads and writes.</summary>
    public IScheduleStore Store => _store;

    /// <summary>Gets the settings.</summary>
    public ScheduleRunnerOptions Options => _options;

    /// <summary>
    /// Validates and saves a schedule, planning its next fire time as the first occurrence after now (null when it is
    /// disabled), and wakes the runner. Saving an existing schedule drops occurrences it had missed.
    /// </summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The schedule as stored.</returns>
    /// <exception cref="ScheduleValidationException">The schedule is not valid (names the schedule and the field).</exception>
    public async ValueTask<Schedule> SaveAsync(Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        Schedule planned = schedule with { NextFireAt = schedule.Enabled ? schedule.GetNextOccurrence(_time.GetUtcNow()) : null };
        await _store.SaveAsync(planned, cancellationToken).ConfigureAwait(false);
        Wake();
        return await _store.GetAsync(schedule.Id, cancellationToken).ConfigureAwait(false) ?? planned;
    }

    /// <summary>Deletes a schedule (a running firing finishes).</summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when there was one.</returns>
    public ValueTask<bool> DeleteAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        return _store.DeleteAsync(scheduleId, cancellationToken);
    }

    /// <summary>
    /// Runs a schedule's target now ("run now"), whatever its time, <see cref="Schedule.Enabled"/> flag or running
    /// firings; its next fire time is unchanged and its outcome is recorded.
    /// </summary>
    /// <param name="scheduleId">The schedule's id.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The run's result.</returns>
    /// <exception cref="KeyNotFoundException">There is no such schedule.</exception>
    /// <exception cref="InvalidOperationException">The target agent is not in the catalog.</exception>
    public async Task<RunResult> RunNowAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scheduleId);
        Schedule schedule = await _store.GetAsync(scheduleId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no schedule '{scheduleId}'.");
        DateTimeOffset now = _time.GetUtcNow();
        var firing = new Firing(now, FiringReason.Manual, $"sched-{schedule.Id}-manual-{Guid.NewGuid():N}");
        RunnableAgent agent = await ResolveAgentAsync(schedule, cancellationToken).ConfigureAwait(false);
        RunResult result = await RunOnLaneAsync(schedule, agent, firing, cancellationToken).ConfigureAwait(false);
        await _store.RecordOutcomeAsync(schedule.Id, result.RunId, result.Outcome, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0 && _stopping.IsCancellationRequested)
        {
            return;
        }

        Task? loop = _loop;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        // Why: firings got the stopping token, so cancelled runs keep their checkpoints; wait for them to record
        // their outcome and release their leases, up to the shutdown timeout.
        Task drained = WhenFiringsDoneAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ShutdownTimeout);
        try
        {
            await drained.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogShutdownTimedOut(_logger, _options.ShutdownTimeout);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Why: the container may dispose the same instance twice (as the runner and as a hosted service).
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>
    /// Begins stopping without waiting (a container disposed synchronously calls this): no further firing starts and
    /// running firings are cancelled. Prefer <see cref="StopAsync"/> or <see cref="DisposeAsync"/>, which wait.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Why: the loop and the firings observe the token; the source stays undisposed for them.
        _stopping.Cancel();
    }

    /// <summary>Fires what is due now and returns when the runner should look again (the earliest planned firing).</summary>
    internal async Task<DateTimeOffset?> ProcessDueAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset? earliest = null;
        await RenewLeasesAsync(now, cancellationToken).ConfigureAwait(false);
        foreach (Schedule listed in await _store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                DateTimeOffset? wake = await ProcessScheduleAsync(listed, now, cancellationToken).ConfigureAwait(false);
                if (wake is { } at && (earliest is null || at < earliest))
                {
                    earliest = at;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Why: one broken schedule (a zone removed from the host's tz data, a store hiccup) must not stop the others.
                LogScheduleFailed(_logger, ex, listed.Id);
                s_firings.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            }
        }

        return earliest;
    }

    /// <summary>Called by the loop right before it sleeps, with the delay (tests wait on it instead of on wall-clock time).</summary>
    internal Action<TimeSpan>? Sleeping { get; set; }

    /// <summary>Completes when no firing is running or waiting on this host.</summary>
    internal async Task WhenFiringsDoneAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_lock)
            {
                running = [.. _firings];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task<DateTimeOffset?> ProcessScheduleAsync(Schedule listed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!listed.Enabled)
        {
            return null;
        }

        if (listed.NextFireAt is null)
        {
            // Why: a schedule written straight into the store (or re-enabled) has no plan yet; plan from now, so an
            // unknown past is never fired.
            DateTimeOffset? first = listed.GetNextOccurrence(now);
            await _store.AdvanceAsync(listed.Id, null, first, null, cancellationToken).ConfigureAwait(false);
            return first is { } f ? f + listed.GetJitter(f) : null;
        }

        DateTimeOffset dueAt = listed.NextFireAt.Value + listed.GetJitter(listed.NextFireAt.Value);
        if (dueAt > now)
        {
            return dueAt;
        }

        ScheduleLease? lease = await _store.TryAcquireLeaseAsync(listed.Id, _options.HostId, now, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            // Why: another host holds it (firing or running it); look again when its lease would have expired.
            LogLeaseHeldElsewhere(_logger, listed.Id);
            return now + _options.LeaseDuration;
        }

        bool keepLease = false;
        try
        {
            Schedule? schedule = await _store.GetAsync(listed.Id, cancellationToken).ConfigureAwait(false);
            if (schedule is not { Enabled: true, NextFireAt: { } nextFireAt } || nextFireAt + schedule.GetJitter(nextFireAt) > now)
            {
                return schedule?.NextFireAt is { } moved ? moved + schedule.GetJitter(moved) : null;
            }

            Plan plan = PlanFirings(schedule, nextFireAt, now);
            DateTimeOffset? next = schedule.GetNextOccurrence(now);
            if (!await _store.AdvanceAsync(schedule.Id, nextFireAt, next, plan.Last, cancellationToken).ConfigureAwait(false))
            {
                // Why: someone moved it between our read and our write (a save, or a host whose lease we outlived).
                return now;
            }

            if (plan.Dropped > 0)
            {
                LogMisfireSkipped(_logger, schedule.Id, plan.Dropped, schedule.Misfire);
                s_firings.Add(plan.Dropped, new KeyValuePair<string, object?>("result", "skipped_misfire"));
            }

            keepLease = Enqueue(schedule, plan.Firings, lease);
            return next is { } n ? n + schedule.GetJitter(n) : null;
        }
        finally
        {
            if (!keepLease && !IsRunning(listed.Id))
            {
                await _store.ReleaseLeaseAsync(lease, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private Plan PlanFirings(Schedule schedule, DateTimeOffset nextFireAt, DateTimeOffset now)
    {
        // Every occurrence from the planned one up to now, newest kept when there are very many.
        int cap = Math.Max(schedule.MaxCatchUp, 1) + 1;
        var due = new List<DateTimeOffset> { nextFireAt };
        due.AddRange(schedule.GetOccurrences(nextFireAt, now, cap));
        int total = 1 + CountOccurrences(schedule, nextFireAt, now);
        if (due.Count > cap)
        {
            due.RemoveRange(0, due.Count - cap);
        }

        DateTimeOffset latest = due[^1];
        bool latestOnTime = now - (latest + schedule.GetJitter(latest)) <= _options.MisfireThreshold;
        int missedCount = latestOnTime ? total - 1 : total;
        var firings = new List<Firing>();
        List<DateTimeOffset> missed = latestOnTime ? due[..^1] : due;
        switch (schedule.Misfire)
        {
            case MisfirePolicy.FireAll:
                int take = Math.Min(schedule.MaxCatchUp, missed.Count);
                firings.AddRange(missed.Skip(missed.Count - take).Select(o => new Firing(o, FiringReason.CatchUp, RunIdFor(schedule, o))));
                break;
            case MisfirePolicy.FireOnce when !latestOnTime && missed.Count > 0:
                firings.Add(new Firing(missed[^1], FiringReason.CatchUp, RunIdFor(schedule, missed[^1])));
                break;
            default:
                break;
        }

        if (latestOnTime)
        {
            firings.Add(new Firing(latest, FiringReason.Due, RunIdFor(schedule, latest)));
        }

        int fired = firings.Count(f => f.Reason == FiringReason.CatchUp);
        return new Plan(firings, missedCount - fired, firings.Count > 0 ? firings[^1].Occurrence : null);
    }

    private static int CountOccurrences(Schedule schedule, DateTimeOffset after, DateTimeOffset until)
    {
        // Why: only for the "dropped" count; bounded so a per-second schedule after a long outage stays cheap.
        const int Bound = 100_000;
        return schedule.GetOccurrences(after, until, Bound).Count;
    }

    private static string RunIdFor(Schedule schedule, DateTimeOffset occurrence) =>
        string.Create(CultureInfo.InvariantCulture, $"sched-{schedule.Id}-{occurrence.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");

    /// <summary>Queues the planned firings on the schedule's slot and starts what may start; true when a firing holds the lease.</summary>
    private bool Enqueue(Schedule schedule, List<Firing> firings, ScheduleLease lease)
    {
        var start = new List<Firing>();
        lock (_lock)
        {
            if (!_slots.TryGetValue(schedule.Id, out Slot? slot))
            {
                slot = new Slot();
                _slots.Add(schedule.Id, slot);
            }

            slot.Schedule = schedule;
            slot.Lease = lease;
            foreach (Firing firing in firings)
            {
                bool busy = slot.Running > 0 || slot.Pending.Count > 0 || start.Count > 0;
                if (firing.Reason == FiringReason.CatchUp)
                {
                    // Why: a catch-up burst runs one firing after another, never all at once.
                    if (busy)
                    {
                        slot.Pending.Enqueue(firing);
                    }
                    else
                    {
                        start.Add(firing);
                    }

                    continue;
                }

                if (!busy || schedule.Overlap == OverlapPolicy.Allow)
                {
                    start.Add(firing);
                }
                else if (schedule.Overlap == OverlapPolicy.QueueOne && !slot.Pending.Any(p => p.Reason == FiringReason.Due))
                {
                    slot.Pending.Enqueue(firing);
                }
                else
                {
                    LogOverlapSkipped(_logger, schedule.Id, firing.Occurrence, schedule.Overlap);
                    s_firings.Add(1, new KeyValuePair<string, object?>("result", "skipped_overlap"));
                }
            }

            slot.Running += start.Count;
            foreach (Firing firing in start)
            {
                Track(schedule, firing);
            }

            bool holds = slot.Running > 0 || slot.Pending.Count > 0;
            if (!holds)
            {
                _slots.Remove(schedule.Id);
            }

            return holds;
        }
    }

    /// <summary>Starts a firing's task and remembers it (caller holds the lock and counted it as running).</summary>
    private void Track(Schedule schedule, Firing firing)
    {
        Task task = Task.Run(() => FireAsync(schedule, firing), CancellationToken.None);
        _firings.Add(task);
        _ = task.ContinueWith(
            t =>
            {
                lock (_lock)
                {
                    _firings.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task FireAsync(Schedule schedule, Firing firing)
    {
        CancellationToken token = _stopping.Token;
        try
        {
            RunnableAgent agent = await ResolveAgentAsync(schedule, token).ConfigureAwait(false);
            if (firing.Reason == FiringReason.CatchUp && !await BudgetAllowsAsync(schedule, agent, firing, token).ConfigureAwait(false))
            {
                return;
            }

            s_firings.Add(1, new KeyValuePair<string, object?>("result", "started"));
            LogFiring(_logger, schedule.Id, firing.Occurrence, firing.Reason, firing.RunId);
            RunResult result = await RunOnLaneAsync(schedule, agent, firing, token).ConfigureAwait(false);
            await _store.RecordOutcomeAsync(schedule.Id, result.RunId, result.Outcome, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFiringFailed(_logger, ex, schedule.Id, firing.Occurrence);
            s_firings.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            try
            {
                await _store.RecordOutcomeAsync(schedule.Id, firing.RunId, ex is OperationCanceledException ? RunOutcome.Cancelled : RunOutcome.Failed, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception recordError)
            {
                LogScheduleFailed(_logger, recordError, schedule.Id);
            }
        }
        finally
        {
            await FiringEndedAsync(schedule.Id).ConfigureAwait(false);
        }
    }

    private async Task FiringEndedAsync(string scheduleId)
    {
        ScheduleLease? release = null;
        lock (_lock)
        {
            if (!_slots.TryGetValue(scheduleId, out Slot? slot))
            {
                return;
            }

            slot.Running--;
            if (slot.Running == 0 && slot.Pending.Count > 0 && !_stopping.IsCancellationRequested)
            {
                slot.Running++;
                Track(slot.Schedule!, slot.Pending.Dequeue());
                return;
            }

            if (slot.Running == 0)
            {
                release = slot.Lease;
                _slots.Remove(scheduleId);
            }
        }

        if (release is not null)
        {
            try
            {
                await _store.ReleaseLeaseAsync(release, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Why: the lease then simply expires; another host waits at most LeaseDuration.
                LogScheduleFailed(_logger, ex, scheduleId);
            }
        }
    }

    private bool IsRunning(string scheduleId)
    {
        lock (_lock)
        {
            return _slots.ContainsKey(scheduleId);
        }
    }

    private async Task RenewLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<(string Id, ScheduleLease Lease)> held;
        lock (_lock)
        {
            held = [.. _slots.Where(p => p.Value.Lease is not null).Select(p => (p.Key, p.Value.Lease!))];
        }

        foreach ((string id, ScheduleLease lease) in held)
        {
            ScheduleLease? renewed = await _store.TryAcquireLeaseAsync(id, _options.HostId, now, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
            if (renewed is null)
            {
                LogLeaseLost(_logger, id, lease.Token);
                continue;
            }

            lock (_lock)
            {
                if (_slots.TryGetValue(id, out Slot? slot))
                {
                    slot.Lease = renewed;
                }
            }
        }
    }

    private async ValueTask<RunnableAgent> ResolveAgentAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        string name = schedule.Target.Kind == ScheduleTargetKind.Skill ? schedule.Target.Agent! : schedule.Target.Name;
        RunnableAgent? agent = _agents is not null
            ? await _agents.ResolveAsync(name, schedule.Target.Caller, cancellationToken).ConfigureAwait(false)
            : _catalog is null ? null : await _catalog.GetAsync(name, null, cancellationToken).ConfigureAwait(false);
        return agent ?? throw new InvalidOperationException($"Schedule '{schedule.Id}': agent '{name}' is not in the agent catalog.");
    }

    private string BudgetModel(RunnableAgent agent)
    {
        if (agent.Model is { } model)
        {
            return model;
        }

        string tier = agent.Tier ?? TierAgentModelResolver.DefaultTier;
        if (_tiers is null || !_tiers.HasTier(tier))
        {
            return tier;
        }

        try
        {
            // Why: the run's first model call reserves against its tier's first candidate; the catch-up question is
            // priced the same way (a budget with money limits has no price for a tier name).
            return _tiers.GetCandidates(tier)[0].ToString();
        }
        catch (ModelResolutionException)
        {
            return tier;
        }
    }

    private async Task<bool> BudgetAllowsAsync(Schedule schedule, RunnableAgent agent, Firing firing, CancellationToken cancellationToken)
    {
        if (_executor.Ports.Budget is not { } budget || budget is NullBudget)
        {
            return true;
        }

        var check = new BudgetCheck
        {
            RunId = firing.RunId,
            AgentName = agent.Name,
            Caller = schedule.Target.Caller,
            Model = BudgetModel(agent),
            Purpose = "schedule:catch-up",
            EstimatedInputTokens = (Input(schedule).Length / 4) + 4,
        };
        string? refusal;
        try
        {
            BudgetDecision decision = await budget.CheckAsync(check, cancellationToken).ConfigureAwait(false);
            if (decision.Allowed)
            {
                // Why: only a question; the run's own model calls reserve and settle what they spend.
                await budget.ReleaseAsync(new BudgetReservation(check, decision.ReservationId), CancellationToken.None).ConfigureAwait(false);
                return true;
            }

            refusal = decision.Reason ?? "The budget refused.";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Why: a budget that cannot answer must not let a catch-up burst spend (the kernel fails closed the same way).
            refusal = $"The budget could not answer: {ex.Message}";
        }

        LogCatchUpRefused(_logger, schedule.Id, firing.Occurrence, refusal);
        s_firings.Add(1, new KeyValuePair<string, object?>("result", "budget_refused"));
        if (_executor.Ports.Audit is { } audit)
        {
            try
            {
                await audit.RecordAsync(
                    new AuditEvent(AuditEventKind.BudgetRefused, _time.GetUtcNow())
                    {
                        RunId = firing.RunId,
                        AgentName = agent.Name,
                        Caller = schedule.Target.Caller,
                        Model = check.Model,
                        Detail = $"Catch-up firing of schedule '{schedule.Id}' for {firing.Occurrence:O} skipped: {refusal}",
                        Data = new Dictionary<string, string>(StringComparer.Ordinal)
                        {
                            [ScheduleIdMetadataKey] = schedule.Id,
                            [OccurrenceMetadataKey] = firing.Occurrence.ToString("O", CultureInfo.InvariantCulture),
                            [ReasonMetadataKey] = "catch-up",
                            ["purpose"] = "schedule:catch-up",
                        },
                    },
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogScheduleFailed(_logger, ex, schedule.Id);
            }
        }

        return false;
    }

    private static string Input(Schedule schedule) =>
        schedule.Target.Kind == ScheduleTargetKind.Skill
            ? $"Use the skill '{schedule.Target.Name}' (load it with load_skill first).\n\n{schedule.Target.Input}"
            : schedule.Target.Input;

    private Task<RunResult> RunOnLaneAsync(Schedule schedule, RunnableAgent agent, Firing firing, CancellationToken cancellationToken)
    {
        var request = new RunRequest(agent, Input(schedule))
        {
            Caller = schedule.Target.Caller,
            RunId = firing.RunId,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ScheduleIdMetadataKey] = schedule.Id,
                [OccurrenceMetadataKey] = firing.Occurrence.ToString("O", CultureInfo.InvariantCulture),
                [ReasonMetadataKey] = firing.Reason switch
                {
                    FiringReason.CatchUp => "catch-up",
                    FiringReason.Manual => "manual",
                    _ => "due",
                },
            },
        };
        if (_lanes is null)
        {
            return _executor.RunAsync(request, cancellationToken);
        }

        Lane lane = _lanes.Get(schedule.Lane ?? _options.Lane);
        return lane.RunAsync(schedule.Target.Caller.FairnessKey, ct => _executor.RunAsync(request, ct), cancellationToken: cancellationToken);
    }

    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            wake = _wake;
            _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Task woken;
            lock (_lock)
            {
                woken = _wake.Task;
            }

            DateTimeOffset? earliest;
            try
            {
                earliest = await ProcessDueAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(_logger, ex);
                earliest = null;
            }

            DateTimeOffset now = _time.GetUtcNow();
            TimeSpan delay = _options.RefreshInterval;
            if (earliest is { } at && at - now < delay)
            {
                delay = at <= now ? TimeSpan.Zero : at - now;
            }

            if (IsAnyRunning() && _options.LeaseDuration / 3 < delay)
            {
                delay = _options.LeaseDuration / 3;
            }

            if (delay <= TimeSpan.Zero)
            {
                continue;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            Task sleep = Task.Delay(delay, _time, wait.Token);
            Sleeping?.Invoke(delay);
            await Task.WhenAny(sleep, woken).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
        }
    }

    private bool IsAnyRunning()
    {
        lock (_lock)
        {
            return _slots.Count > 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId}: firing the occurrence {Occurrence:O} ({Reason}) as run {RunId}.")]
    private static partial void LogFiring(ILogger logger, string scheduleId, DateTimeOffset occurrence, FiringReason reason, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}: {Count} missed occurrence(s) not fired (misfire policy {Policy}).")]
    private static partial void LogMisfireSkipped(ILogger logger, string scheduleId, int count, MisfirePolicy policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId}: the occurrence {Occurrence:O} was skipped because the previous firing still runs (overlap policy {Policy}).")]
    private static partial void LogOverlapSkipped(ILogger logger, string scheduleId, DateTimeOffset occurrence, OverlapPolicy policy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}: the catch-up firing for {Occurrence:O} was skipped: {Reason}")]
    private static partial void LogCatchUpRefused(ILogger logger, string scheduleId, DateTimeOffset occurrence, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule {ScheduleId}: the firing for {Occurrence:O} failed.")]
    private static partial void LogFiringFailed(ILogger logger, Exception exception, string scheduleId, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule {ScheduleId} could not be processed.")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception, string scheduleId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule {ScheduleId} is due but another host holds its lease.")]
    private static partial void LogLeaseHeldElsewhere(ILogger logger, string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}: the lease (token {Token}) was lost while a firing runs; another host may take the schedule over.")]
    private static partial void LogLeaseLost(ILogger logger, string scheduleId, long token);

    [LoggerMessage(Level = LogLevel.Error, Message = "The schedule runner's loop failed; it retries after its refresh interval.")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule runner: firings still running after the shutdown timeout of {Timeout}.")]
    private static partial void LogShutdownTimedOut(ILogger logger, TimeSpan timeout);

    private enum FiringReason
    {
        Due,
        CatchUp,
        Manual,
    }

    private sealed record Firing(DateTimeOffset Occurrence, FiringReason Reason, string RunId);

    private sealed record Plan(List<Firing> Firings, int Dropped, DateTimeOffset? Last);

    private sealed class Slot
    {
        public int Running { get; set; }

        public Queue<Firing> Pending { get; } = new();

        public Schedule? Schedule { get; set; }

        public ScheduleLease? Lease { get; set; }
    }
}
