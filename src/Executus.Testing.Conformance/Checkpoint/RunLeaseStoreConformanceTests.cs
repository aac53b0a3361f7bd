using System.Collections.Concurrent;
using Executus.Checkpoints;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Executus.Testing.Conformance.Checkpoint;

/// <summary>
/// The behaviour every <see cref="IRunLeaseStore"/> must have. Derive a test class and implement
/// <see cref="CreateStoreAsync"/> to return a new, empty checkpoint store that is also an <see cref="IRunLeaseStore"/>
/// (leases pick among the store's checkpoints); override <see cref="OpenAnotherAsync"/> when a second instance can
/// open the same data (another host), so the concurrent-claimer case races real instances.
/// </summary>
public abstract class RunLeaseStoreConformanceTests
{
    /// <summary>A fixed instant the cases are built around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Creates a new, empty store for one case.</summary>
    /// <returns>The store; it must implement both <see cref="ICheckpointStore"/> and <see cref="IRunLeaseStore"/>.</returns>
    protected abstract Task<ICheckpointStore> CreateStoreAsync();

    /// <summary>Opens another instance over the same data as <paramref name="store"/> (another host); the same instance by default.</summary>
    /// <param name="store">A store from <see cref="CreateStoreAsync"/>.</param>
    /// <returns>The other instance.</returns>
    protected virtual Task<ICheckpointStore> OpenAnotherAsync(ICheckpointStore store) => Task.FromResult(store);

    /// <summary>Checks a free run is claimed, another owner is refused while the lease lives, and the holder renews it with the same token.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Claim_is_exclusive_until_expiry_and_renewed_by_its_holder()
    {
        IRunLeaseStore store = Leases(await CreateStoreAsync());

        RunLease first = (await store.TryClaimAsync("r1", "host-a", T0, Minute))!;
        Assert.Equal(new RunLease("r1", "host-a", T0 + Minute, first.Token), first);
        Assert.True(first.Token > 0);
        Assert.Null(await store.TryClaimAsync("r1", "host-b", T0.AddSeconds(59), Minute));

        RunLease renewed = (await store.TryClaimAsync("r1", "host-a", T0.AddSeconds(30), Minute))!;
        Assert.Equal(first.Token, renewed.Token);
        Assert.Equal(T0.AddSeconds(90), renewed.ExpiresAt);
        Assert.Null(await store.TryClaimAsync("r1", "host-b", T0.AddSeconds(89), Minute));
        Assert.Equal(renewed, await store.GetLeaseAsync("r1"));
        Assert.Null(await store.GetLeaseAsync("r2"));
    }

    /// <summary>Checks expiry with a fake clock: at the expiry instant another owner takes the run with a greater token, and the old holder is refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Expired_lease_is_taken_over_with_a_greater_token()
    {
        IRunLeaseStore store = Leases(await CreateStoreAsync());
        var clock = new FakeTimeProvider(T0);
        RunLease old = (await store.TryClaimAsync("r1", "host-a", clock.GetUtcNow(), Minute))!;

        clock.Advance(Minute - TimeSpan.FromSeconds(1));
        Assert.Null(await store.TryClaimAsync("r1", "host-b", clock.GetUtcNow(), Minute));
        clock.Advance(TimeSpan.FromSeconds(1));
        RunLease taken = (await store.TryClaimAsync("r1", "host-b", clock.GetUtcNow(), Minute))!;

        Assert.Equal("host-b", taken.Owner);
        Assert.True(taken.Token > old.Token);
        Assert.Null(await store.TryClaimAsync("r1", "host-a", clock.GetUtcNow().AddSeconds(1), Minute));
        Assert.False(await store.ReleaseAsync(old));
        Assert.Equal(taken, await store.GetLeaseAsync("r1"));
    }

    /// <summary>Checks the heartbeat renews every lease of its owner (expired but untaken ones too), leaves others alone, and omits runs taken over.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Renew_extends_every_lease_the_owner_still_holds()
    {
        IRunLeaseStore store = Leases(await CreateStoreAsync());
        RunLease a1 = (await store.TryClaimAsync("a1", "host-a", T0, Minute))!;
        RunLease a2 = (await store.TryClaimAsync("a2", "host-a", T0, Minute))!;
        RunLease a3 = (await store.TryClaimAsync("a3", "host-a", T0, Minute))!;
        RunLease b1 = (await store.TryClaimAsync("b1", "host-b", T0, Minute))!;

        // host-a stalls past its leases: host-b takes a3; a1 and a2 expired but nobody took them.
        RunLease stolen = (await store.TryClaimAsync("a3", "host-b", T0.AddMinutes(2), Minute))!;
        IReadOnlyList<RunLease> renewed = await store.RenewAsync("host-a", T0.AddMinutes(2), TimeSpan.FromMinutes(5));

        Assert.Equal([a1 with { ExpiresAt = T0.AddMinutes(7) }, a2 with { ExpiresAt = T0.AddMinutes(7) }], renewed);
        Assert.Equal(b1, await store.GetLeaseAsync("b1"));
        Assert.Equal(stolen, await store.GetLeaseAsync("a3"));
        Assert.True(stolen.Token > a3.Token);
        Assert.Null(await store.TryClaimAsync("a1", "host-b", T0.AddMinutes(6), Minute));
        Assert.Empty(await store.RenewAsync("host-c", T0, Minute));
    }

    /// <summary>Checks a release frees the run at once (a later claim gets a greater token), a stale or repeated release does nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Release_frees_the_run_at_once_and_tokens_only_grow()
    {
        IRunLeaseStore store = Leases(await CreateStoreAsync());
        RunLease lease = (await store.TryClaimAsync("r1", "host-a", T0, TimeSpan.FromMinutes(10)))!;

        Assert.True(await store.ReleaseAsync(lease));
        Assert.False(await store.ReleaseAsync(lease));
        Assert.Null(await store.GetLeaseAsync("r1"));
        RunLease next = (await store.TryClaimAsync("r1", "host-b", T0.AddSeconds(1), TimeSpan.FromMinutes(10)))!;
        Assert.True(next.Token > lease.Token);
        Assert.False(await store.ReleaseAsync(next with { Owner = "host-a" }));
        Assert.False(await store.ReleaseAsync(next with { Token = next.Token + 1 }));
        Assert.True(await store.ReleaseAsync(next));
        RunLease again = (await store.TryClaimAsync("r1", "host-a", T0.AddSeconds(2), Minute))!;
        Assert.True(again.Token > next.Token);
    }

    /// <summary>Checks releasing all of an owner's leases frees only that owner's runs.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Release_all_frees_only_the_owners_leases()
    {
        ICheckpointStore checkpoints = await CreateStoreAsync();
        IRunLeaseStore store = Leases(checkpoints);
        await checkpoints.SaveAsync(Checkpoint("a1", T0), 0);
        await checkpoints.SaveAsync(Checkpoint("a2", T0), 0);
        await checkpoints.SaveAsync(Checkpoint("b1", T0), 0);
        await store.TryClaimAsync("a1", "host-a", T0, Minute);
        await store.TryClaimAsync("a2", "host-a", T0, Minute);
        RunLease b1 = (await store.TryClaimAsync("b1", "host-b", T0, Minute))!;

        Assert.Equal(2, await store.ReleaseAllAsync("host-a"));
        Assert.Equal(0, await store.ReleaseAllAsync("host-a"));

        Assert.Equal(b1, await store.GetLeaseAsync("b1"));
        IReadOnlyList<RunLease> claimed = await store.ClaimInterruptedAsync("host-c", T0.AddSeconds(1), Minute, 10);
        Assert.Equal(["a1", "a2"], claimed.Select(l => l.RunId));
    }

    /// <summary>
    /// Checks claiming interrupted runs takes only runs with a checkpoint, not paused, whose lease is absent, released or
    /// expired; in run-id order; up to the limit; each with a greater token.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Claim_interrupted_takes_unleased_and_expired_runs_only()
    {
        ICheckpointStore checkpoints = await CreateStoreAsync();
        IRunLeaseStore store = Leases(checkpoints);
        foreach (string id in new[] { "r5", "r1", "r4", "r2", "r3", "r6" })
        {
            await checkpoints.SaveAsync(Checkpoint(id, T0), 0);
        }

        await checkpoints.SaveAsync(Checkpoint("p1", T0) with { Boundary = CheckpointBoundary.RunEnd, PausedReason = "a human decides" }, 0);
        RunLease live = (await store.TryClaimAsync("r2", "host-a", T0, TimeSpan.FromMinutes(10)))!;
        RunLease expired = (await store.TryClaimAsync("r3", "host-a", T0, Minute))!;
        RunLease released = (await store.TryClaimAsync("r4", "host-a", T0, TimeSpan.FromMinutes(10)))!;
        await store.ReleaseAsync(released);
        await store.TryClaimAsync("no-checkpoint", "host-a", T0.AddMinutes(-5), Minute);

        DateTimeOffset now = T0.AddMinutes(2);
        IReadOnlyList<RunLease> first = await store.ClaimInterruptedAsync("host-b", now, Minute, 3);
        IReadOnlyList<RunLease> rest = await store.ClaimInterruptedAsync("host-b", now, Minute, 3);
        IReadOnlyList<RunLease> none = await store.ClaimInterruptedAsync("host-c", now, Minute, 3);

        Assert.Equal(["r1", "r3", "r4"], first.Select(l => l.RunId));
        Assert.Equal(["r5", "r6"], rest.Select(l => l.RunId));
        Assert.Empty(none);
        Assert.All(first.Concat(rest), l => Assert.Equal(("host-b", now + Minute), (l.Owner, l.ExpiresAt)));
        Assert.True(first.Single(l => l.RunId == "r3").Token > expired.Token);
        Assert.True(first.Single(l => l.RunId == "r4").Token > released.Token);
        Assert.Equal(live, await store.GetLeaseAsync("r2"));
        Assert.Null(await store.GetLeaseAsync("p1"));
    }

    /// <summary>Checks a run whose checkpoint is deleted or pruned has no lease any more, and is never claimed as interrupted.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Deleting_or_pruning_the_checkpoint_ends_the_lease()
    {
        ICheckpointStore checkpoints = await CreateStoreAsync();
        IRunLeaseStore store = Leases(checkpoints);
        await checkpoints.SaveAsync(Checkpoint("done", T0), 0);
        await checkpoints.SaveAsync(Checkpoint("old", T0.AddDays(-2)), 0);
        await checkpoints.SaveAsync(Checkpoint("kept", T0), 0);
        RunLease done = (await store.TryClaimAsync("done", "host-a", T0, Minute))!;
        await store.TryClaimAsync("old", "host-a", T0, Minute);
        RunLease kept = (await store.TryClaimAsync("kept", "host-a", T0, Minute))!;

        Assert.True(await checkpoints.DeleteAsync("done"));
        Assert.Equal(1, await checkpoints.PruneAsync(T0.AddDays(-1)));

        Assert.Null(await store.GetLeaseAsync("done"));
        Assert.Null(await store.GetLeaseAsync("old"));
        Assert.False(await store.ReleaseAsync(done));
        Assert.Equal([kept with { ExpiresAt = T0.AddMinutes(3) }], await store.RenewAsync("host-a", T0.AddMinutes(2), Minute));
        Assert.Empty(await store.ClaimInterruptedAsync("host-b", T0.AddMinutes(3).AddSeconds(-1), Minute, 10));
        Assert.Equal(["kept"], (await store.ClaimInterruptedAsync("host-b", T0.AddMinutes(3), Minute, 10)).Select(l => l.RunId));
    }

    /// <summary>Checks that of many hosts racing for one free run exactly one gets it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrent_claims_of_one_run_grant_one()
    {
        ICheckpointStore first = await CreateStoreAsync();
        ICheckpointStore[] hosts = await OpenHostsAsync(first, 8);

        RunLease?[] leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            await Leases(hosts[i % hosts.Length]).TryClaimAsync("r1", $"host-{i}", T0, Minute))));

        Assert.Single(leases, l => l is not null);
    }

    /// <summary>Checks N concurrent claimers (separate instances where the store supports it) claim every interrupted run exactly once.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrent_claimers_claim_every_run_exactly_once()
    {
        const int Runs = 120;
        ICheckpointStore first = await CreateStoreAsync();
        for (int i = 0; i < Runs; i++)
        {
            await first.SaveAsync(Checkpoint($"run-{i:D3}", T0), 0);
        }

        // A third of the runs belonged to a host that died: their leases expired.
        for (int i = 0; i < Runs; i += 3)
        {
            await Leases(first).TryClaimAsync($"run-{i:D3}", "dead-host", T0.AddMinutes(-10), Minute);
        }

        ICheckpointStore[] hosts = await OpenHostsAsync(first, 6);
        var claims = new ConcurrentBag<RunLease>();
        using var start = new ManualResetEventSlim();
        Task[] claimers = [.. Enumerable.Range(0, 6).Select(h => Task.Run(async () =>
        {
            start.Wait();
            IRunLeaseStore store = Leases(hosts[h]);
            while (true)
            {
                IReadOnlyList<RunLease> batch = await store.ClaimInterruptedAsync($"host-{h}", T0, Minute, 7);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (RunLease lease in batch)
                {
                    claims.Add(lease);
                }
            }
        }))];
        start.Set();
        await Task.WhenAll(claimers);

        Assert.Equal(Runs, claims.Count);
        Assert.Equal(Runs, claims.Select(l => l.RunId).Distinct(StringComparer.Ordinal).Count());
        foreach (RunLease lease in claims)
        {
            Assert.Equal(lease, await Leases(first).GetLeaseAsync(lease.RunId));
        }
    }

    /// <summary>Checks bad arguments are refused with argument exceptions.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Bad_arguments_are_refused()
    {
        IRunLeaseStore store = Leases(await CreateStoreAsync());

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryClaimAsync("r1", " ", T0, Minute));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.TryClaimAsync("r1", "host-a", T0, TimeSpan.Zero));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.RenewAsync("host-a", T0, TimeSpan.FromSeconds(-1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ClaimInterruptedAsync("host-a", T0, Minute, 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ClaimInterruptedAsync("host-a", T0, Minute, 1001));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await store.ReleaseAllAsync(""));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.ReleaseAsync(null!));
    }

    /// <summary>Gets the lease view of a store, failing clearly when it has none.</summary>
    /// <param name="store">The store.</param>
    /// <returns>The same object as an <see cref="IRunLeaseStore"/>.</returns>
    protected static IRunLeaseStore Leases(ICheckpointStore store) =>
        store as IRunLeaseStore ?? throw new InvalidOperationException($"{store?.GetType().Name} does not implement IRunLeaseStore.");

    /// <summary>Builds a small checkpoint of one user message.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="savedAt">When it was saved.</param>
    /// <returns>The checkpoint.</returns>
    protected static RunCheckpoint Checkpoint(string runId, DateTimeOffset savedAt) => new()
    {
        RunId = runId,
        Agent = AgentSnapshot.From(new RunnableAgent("agent")),
        Caller = CallerIdentity.Anonymous,
        Messages = [new ChatMessage(ChatRole.User, "hello")],
        SavedAt = savedAt,
    };

    private async Task<ICheckpointStore[]> OpenHostsAsync(ICheckpointStore first, int count)
    {
        var hosts = new ICheckpointStore[count];
        hosts[0] = first;
        for (int i = 1; i < count; i++)
        {
            hosts[i] = await OpenAnotherAsync(first);
        }

        return hosts;
    }
}
