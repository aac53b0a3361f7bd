using Executus.Identity;
using Executus.Runs;
using Executus.Schedules;
using Xunit;

namespace Executus.Testing.Conformance.Schedule;

/// <summary>
/// The behaviour every <see cref="IScheduleStore"/> must have. Derive a test class, implement
/// <see cref="CreateStoreAsync"/> to return a new, empty store, and every case runs against it (in-memory, SQLite,
/// PostgreSQL…). A durable store also overrides <see cref="ReopenAsync"/> so the persistence cases read through a new
/// instance (a new connection) over the same data.
/// </summary>
public abstract class ScheduleStoreConformanceTests
{
    /// <summary>A fixed instant the cases are built around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates a new, empty store for one case.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IScheduleStore> CreateStoreAsync();

    /// <summary>
    /// Returns a store over the same data as <paramref name="store"/> as a restarted host would open it. The default
    /// returns <paramref name="store"/> itself (right for an in-memory store); durable stores return a new instance.
    /// </summary>
    /// <param name="store">The store the case wrote through.</param>
    /// <returns>The reopened store.</returns>
    protected virtual Task<IScheduleStore> ReopenAsync(IScheduleStore store) => Task.FromResult(store);

    /// <summary>Builds a valid schedule for the cases.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cron">The cron expression.</param>
    /// <returns>The schedule.</returns>
    protected static Executus.Schedules.Schedule NewSchedule(string id, string cron = "0 9 * * *") =>
        new(id, cron, ScheduleTarget.ForAgent("reporter", "daily report", new CallerIdentity("svc", "Service", "acme", roles: ["ops"], scopes: ["reports"])));

    /// <summary>Checks every field of a schedule comes back as saved, times in UTC.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Saved_schedule_round_trips()
    {
        IScheduleStore store = await CreateStoreAsync();
        Executus.Schedules.Schedule saved = NewSchedule("s1", "*/30 * * * * *") with
        {
            Target = ScheduleTarget.ForSkill("weekly-digest", "assistant", "digest please", new CallerIdentity("u1", "User One", "t1", roles: ["admin"], scopes: ["s"], attributes: [new("channel", "c1")])),
            TimeZone = "Europe/Berlin",
            Enabled = false,
            Misfire = MisfirePolicy.FireAll,
            MaxCatchUp = 7,
            Overlap = OverlapPolicy.QueueOne,
            Jitter = TimeSpan.FromSeconds(90),
            Lane = "nightly",
            NextFireAt = new DateTimeOffset(2026, 11, 1, 14, 0, 0, TimeSpan.FromHours(1)),
            LastFireAt = T0.AddHours(-1),
            LastOutcome = RunOutcome.TimedOut,
            LastRunId = "run-9",
        };
        await store.SaveAsync(saved);

        Executus.Schedules.Schedule back = (await store.GetAsync("s1"))!;
        Assert.Equal(saved, back);
        Assert.Equal(TimeSpan.Zero, back.NextFireAt!.Value.Offset);
        Assert.Equal(TimeSpan.Zero, back.LastFireAt!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 13, 0, 0, TimeSpan.Zero), back.NextFireAt);
        Assert.Null(await store.GetAsync("missing"));
    }

    /// <summary>Checks listing returns every schedule ordered by id (ordinal).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task List_is_ordered_by_id()
    {
        IScheduleStore store = await CreateStoreAsync();
        foreach (string id in new[] { "b", "a", "C", "c" })
        {
            await store.SaveAsync(NewSchedule(id));
        }

        Assert.Equal(["C", "a", "b", "c"], (await store.ListAsync()).Select(s => s.Id));
    }

    /// <summary>Checks deleting removes a schedule once.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delete_removes_a_schedule()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1"));
        await store.SaveAsync(NewSchedule("s2"));

        Assert.True(await store.DeleteAsync("s1"));
        Assert.False(await store.DeleteAsync("s1"));
        Assert.Null(await store.GetAsync("s1"));
        Assert.Equal(["s2"], (await store.ListAsync()).Select(s => s.Id));
    }

    /// <summary>Checks an invalid cron expression is refused at save time, naming the schedule and the field, and nothing is stored.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_refuses_an_invalid_cron_expression()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleValidationException ex = await Assert.ThrowsAsync<ScheduleValidationException>(async () => await store.SaveAsync(NewSchedule("bad-cron", "61 * * * *")));

        Assert.Equal("bad-cron", ex.ScheduleId);
        Assert.Equal("Cron", ex.Field);
        Assert.Contains("bad-cron", ex.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("bad-cron"));
    }

    /// <summary>Checks an unknown time zone is refused at save time, naming the schedule and the field.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_refuses_an_unknown_time_zone()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleValidationException ex = await Assert.ThrowsAsync<ScheduleValidationException>(async () => await store.SaveAsync(NewSchedule("bad-zone") with { TimeZone = "Mars/Olympus_Mons" }));

        Assert.Equal("bad-zone", ex.ScheduleId);
        Assert.Equal("TimeZone", ex.Field);
        Assert.Empty(await store.ListAsync());
    }

    /// <summary>Checks saving an existing schedule replaces its definition and next fire time but keeps the runner's last-fire state.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Save_of_an_existing_schedule_keeps_its_last_fire_state()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1") with { NextFireAt = T0 });
        Assert.True(await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
        Assert.True(await store.RecordOutcomeAsync("s1", "run-1", RunOutcome.Completed));

        await store.SaveAsync(NewSchedule("s1", "0 10 * * *") with { NextFireAt = T0.AddDays(1).AddHours(1), LastFireAt = null, LastOutcome = null });

        Executus.Schedules.Schedule back = (await store.GetAsync("s1"))!;
        Assert.Equal("0 10 * * *", back.Cron);
        Assert.Equal(T0.AddDays(1).AddHours(1), back.NextFireAt);
        Assert.Equal(T0, back.LastFireAt);
        Assert.Equal(RunOutcome.Completed, back.LastOutcome);
        Assert.Equal("run-1", back.LastRunId);
    }

    /// <summary>Checks the next fire time moves only from the value the caller read (compare-and-set), so two hosts cannot both claim one occurrence.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Advance_is_a_compare_and_set_on_the_next_fire_time()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1") with { NextFireAt = T0 });

        Assert.True(await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
        Assert.False(await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
        Assert.False(await store.AdvanceAsync("missing", T0, T0.AddDays(1), T0));

        Executus.Schedules.Schedule back = (await store.GetAsync("s1"))!;
        Assert.Equal(T0.AddDays(1), back.NextFireAt);
        Assert.Equal(T0, back.LastFireAt);
    }

    /// <summary>Checks null matches null in the compare-and-set, and a null last fire time leaves the stored one unchanged.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Advance_handles_null_times()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1"));

        Assert.False(await store.AdvanceAsync("s1", T0, T0.AddDays(1), null));
        Assert.True(await store.AdvanceAsync("s1", null, T0, null));
        Assert.True(await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
        Assert.True(await store.AdvanceAsync("s1", T0.AddDays(1), T0.AddDays(2), null));

        Executus.Schedules.Schedule back = (await store.GetAsync("s1"))!;
        Assert.Equal(T0.AddDays(2), back.NextFireAt);
        Assert.Equal(T0, back.LastFireAt);

        Assert.True(await store.AdvanceAsync("s1", T0.AddDays(2), null, null));
        Assert.Null((await store.GetAsync("s1"))!.NextFireAt);
    }

    /// <summary>Checks a compare-and-set is exact to the tick and independent of the offset the time is written in.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Advance_compares_instants_to_the_tick()
    {
        IScheduleStore store = await CreateStoreAsync();
        DateTimeOffset precise = T0.AddTicks(1234567);
        await store.SaveAsync(NewSchedule("s1") with { NextFireAt = precise });

        Assert.False(await store.AdvanceAsync("s1", precise.AddTicks(1), T0.AddDays(1), null));
        Assert.True(await store.AdvanceAsync("s1", precise.ToOffset(TimeSpan.FromHours(-5)), T0.AddDays(1), precise));
        Assert.Equal(precise, (await store.GetAsync("s1"))!.LastFireAt);
    }

    /// <summary>Checks that of many hosts claiming the same occurrence at once exactly one wins.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrent_advances_of_one_occurrence_succeed_once()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1") with { NextFireAt = T0 });

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0))));

        Assert.Equal(1, results.Count(r => r));
    }

    /// <summary>Checks the outcome of a firing is recorded (the last to finish wins) and a missing schedule is reported.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Outcome_is_recorded()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1"));

        Assert.True(await store.RecordOutcomeAsync("s1", "run-1", RunOutcome.Failed));
        Assert.True(await store.RecordOutcomeAsync("s1", "run-2", RunOutcome.Escalated));
        Assert.False(await store.RecordOutcomeAsync("missing", "run-3", RunOutcome.Completed));

        Executus.Schedules.Schedule back = (await store.GetAsync("s1"))!;
        Assert.Equal(RunOutcome.Escalated, back.LastOutcome);
        Assert.Equal("run-2", back.LastRunId);
    }

    /// <summary>Checks next and last fire times and the last outcome survive a reopen (a host restart).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Fire_state_survives_a_reopen()
    {
        IScheduleStore store = await CreateStoreAsync();
        await store.SaveAsync(NewSchedule("s1") with { NextFireAt = T0 });
        Assert.True(await store.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
        Assert.True(await store.RecordOutcomeAsync("s1", "run-1", RunOutcome.Completed));

        IScheduleStore reopened = await ReopenAsync(store);

        Executus.Schedules.Schedule back = (await reopened.GetAsync("s1"))!;
        Assert.Equal(T0.AddDays(1), back.NextFireAt);
        Assert.Equal(T0, back.LastFireAt);
        Assert.Equal(RunOutcome.Completed, back.LastOutcome);
        Assert.Equal("run-1", back.LastRunId);
        Assert.False(await reopened.AdvanceAsync("s1", T0, T0.AddDays(1), T0));
    }

    /// <summary>Checks a lease is exclusive: another host is refused while it is held.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Lease_held_by_another_host_is_refused()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleLease lease = (await store.TryAcquireLeaseAsync("s1", "host-a", T0, TimeSpan.FromMinutes(1)))!;

        Assert.Equal("s1", lease.ScheduleId);
        Assert.Equal("host-a", lease.Owner);
        Assert.Equal(T0.AddMinutes(1), lease.ExpiresAt);
        Assert.Null(await store.TryAcquireLeaseAsync("s1", "host-b", T0.AddSeconds(59), TimeSpan.FromMinutes(1)));
        Assert.NotNull(await store.TryAcquireLeaseAsync("s2", "host-b", T0, TimeSpan.FromMinutes(1)));
    }

    /// <summary>Checks the holder renews its lease (same token, later expiry).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Lease_is_renewed_by_its_holder()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleLease first = (await store.TryAcquireLeaseAsync("s1", "host-a", T0, TimeSpan.FromMinutes(1)))!;
        ScheduleLease renewed = (await store.TryAcquireLeaseAsync("s1", "host-a", T0.AddSeconds(40), TimeSpan.FromMinutes(1)))!;

        Assert.Equal(first.Token, renewed.Token);
        Assert.Equal(T0.AddSeconds(100), renewed.ExpiresAt);
        Assert.Null(await store.TryAcquireLeaseAsync("s1", "host-b", T0.AddSeconds(90), TimeSpan.FromMinutes(1)));
    }

    /// <summary>Checks an expired lease passes to another host with a larger fencing token, and the old holder can no longer release it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Expired_lease_passes_to_another_host()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleLease old = (await store.TryAcquireLeaseAsync("s1", "host-a", T0, TimeSpan.FromMinutes(1)))!;

        ScheduleLease taken = (await store.TryAcquireLeaseAsync("s1", "host-b", T0.AddMinutes(1), TimeSpan.FromMinutes(1)))!;

        Assert.Equal("host-b", taken.Owner);
        Assert.True(taken.Token > old.Token);
        Assert.False(await store.ReleaseLeaseAsync(old));
        Assert.Null(await store.TryAcquireLeaseAsync("s1", "host-a", T0.AddMinutes(1.5), TimeSpan.FromMinutes(1)));
        Assert.True(await store.ReleaseLeaseAsync(taken));
    }

    /// <summary>Checks a released lease can be taken by another host at once, and releasing twice reports false.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Released_lease_can_be_taken_at_once()
    {
        IScheduleStore store = await CreateStoreAsync();
        ScheduleLease lease = (await store.TryAcquireLeaseAsync("s1", "host-a", T0, TimeSpan.FromMinutes(10)))!;

        Assert.True(await store.ReleaseLeaseAsync(lease));
        Assert.False(await store.ReleaseLeaseAsync(lease));
        ScheduleLease next = (await store.TryAcquireLeaseAsync("s1", "host-b", T0.AddSeconds(1), TimeSpan.FromMinutes(10)))!;
        Assert.True(next.Token > lease.Token);
    }

    /// <summary>Checks that of many hosts racing for one free lease exactly one gets it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrent_lease_requests_grant_one()
    {
        IScheduleStore store = await CreateStoreAsync();

        ScheduleLease?[] leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () => await store.TryAcquireLeaseAsync("s1", $"host-{i}", T0, TimeSpan.FromMinutes(1)))));

        Assert.Single(leases, l => l is not null);
    }

    /// <summary>Checks a lease is visible through a reopened store (another host sharing the data).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Lease_is_shared_through_the_store()
    {
        IScheduleStore store = await CreateStoreAsync();
        Assert.NotNull(await store.TryAcquireLeaseAsync("s1", "host-a", T0, TimeSpan.FromMinutes(1)));

        IScheduleStore other = await ReopenAsync(store);

        Assert.Null(await other.TryAcquireLeaseAsync("s1", "host-b", T0.AddSeconds(30), TimeSpan.FromMinutes(1)));
        Assert.NotNull(await other.TryAcquireLeaseAsync("s1", "host-b", T0.AddMinutes(2), TimeSpan.FromMinutes(1)));
    }
}
