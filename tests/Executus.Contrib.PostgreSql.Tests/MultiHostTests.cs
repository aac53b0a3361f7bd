using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Identity;
using Executus.Runs;
using Executus.Schedules;

namespace Executus.Contrib.PostgreSql.Tests;

// Several "hosts" (each its own NpgsqlDataSource, so its own connections) hammering one database at once.
public sealed class MultiHostTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Hosts_sharing_one_cap_never_overspend_it()
    {
        using var schema = new TestSchema();
        const int Hosts = 4;
        const int Workers = 6;
        const int CallsPerWorker = 10;
        const long Cap = 100;
        var account = BudgetScopeKey.Tenant("acme");
        IBudgetStore[] stores = Enumerable.Range(0, Hosts).Select(_ => (IBudgetStore)new PostgreSqlBudgetStore(schema.NewHost())).ToArray();
        var limits = new[] { new BudgetScopeLimit(BudgetScopeKey.Global, MaxTokens: 10_000), new BudgetScopeLimit(account, MaxTokens: Cap) };

        // Each host runs several callers at once; each call reserves its estimate (3 tokens) and settles what it spent (3).
        int[] granted = await Task.WhenAll(stores.SelectMany((store, host) => Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            int mine = 0;
            for (int call = 0; call < CallsPerWorker; call++)
            {
                string id = $"h{host}-w{worker}-c{call}";
                BudgetReservationResult result = await store.TryReserveAsync(new BudgetReservationRequest(id, limits, new BudgetAmount(3, 0m), T0, TimeSpan.FromDays(1), T0.AddMinutes(10)));
                if (result.Granted)
                {
                    mine++;
                    Assert.True(await store.SettleAsync(id, new BudgetLedgerEntry(id, T0, [BudgetScopeKey.Global, account], new BudgetAmount(3, 0m))));
                }
            }

            return mine;
        }))));

        BudgetAmount spent = await stores[0].GetSpendAsync(account, T0.AddDays(-1), T0);
        Assert.Equal(granted.Sum() * 3, spent.Tokens);
        Assert.True(spent.Tokens <= Cap, $"spent {spent.Tokens} over the cap {Cap}");
        // 240 attempts for 33 slots: the cap is reached exactly, never passed.
        Assert.Equal(Cap / 3, granted.Sum());
        Assert.Equal(BudgetAmount.Zero, await stores[1].GetReservedAsync(account, T0));
    }

    [Fact]
    public async Task Each_schedule_firing_is_claimed_by_exactly_one_host()
    {
        using var schema = new TestSchema();
        const int Hosts = 4;
        const int Occurrences = 25;
        IScheduleStore[] stores = Enumerable.Range(0, Hosts).Select(_ => (IScheduleStore)new PostgreSqlScheduleStore(schema.NewHost())).ToArray();
        await stores[0].SaveAsync(new Schedule("tick", "* * * * *", ScheduleTarget.ForAgent("ticker", "tick")) { NextFireAt = T0 });

        // Every host races for every occurrence the way ScheduleRunner does: compare-and-set of the next fire time.
        var winners = new int[Occurrences];
        await Task.WhenAll(stores.Select((store, host) => Task.Run(async () =>
        {
            for (int i = 0; i < Occurrences; i++)
            {
                DateTimeOffset due = T0.AddMinutes(i);
                while ((await store.GetAsync("tick"))!.NextFireAt < due)
                {
                    await Task.Yield();
                }

                if (await store.AdvanceAsync("tick", due, due.AddMinutes(1), due))
                {
                    Interlocked.Increment(ref winners[i]);
                }
            }
        })));

        Assert.All(winners, w => Assert.Equal(1, w));
        Schedule tick = (await stores[3].GetAsync("tick"))!;
        Assert.Equal(T0.AddMinutes(Occurrences), tick.NextFireAt);
        Assert.Equal(T0.AddMinutes(Occurrences - 1), tick.LastFireAt);
    }

    [Fact]
    public async Task A_lease_goes_to_one_host_at_a_time_and_its_fencing_token_only_grows()
    {
        using var schema = new TestSchema();
        IScheduleStore[] stores = Enumerable.Range(0, 4).Select(_ => (IScheduleStore)new PostgreSqlScheduleStore(schema.NewHost())).ToArray();
        long lastToken = 0;
        for (int round = 0; round < 10; round++)
        {
            DateTimeOffset now = T0.AddMinutes(round * 2);
            ScheduleLease?[] leases = await Task.WhenAll(stores.Select((store, host) => Task.Run(async () =>
                await store.TryAcquireLeaseAsync("digest", $"host-{host}", now, TimeSpan.FromMinutes(1)))));
            ScheduleLease winner = Assert.Single(leases, l => l is not null)!;
            Assert.True(winner.Token > lastToken);
            lastToken = winner.Token;
        }
    }

    [Fact]
    public async Task Interrupted_runs_are_divided_among_hosts_each_claimed_once_and_again_once_after_the_leases_expire()
    {
        using var schema = new TestSchema();
        const int Runs = 60;
        PostgreSqlCheckpointStore[] hosts = Enumerable.Range(0, 4).Select(_ => new PostgreSqlCheckpointStore(schema.NewHost())).ToArray();
        for (int i = 0; i < Runs; i++)
        {
            await hosts[0].SaveAsync(new RunCheckpoint
            {
                RunId = $"run-{i:D3}",
                Agent = new AgentSnapshot { Name = "worker" },
                Caller = new CallerIdentity("alice", "Alice", "acme"),
                Messages = [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "go")],
                Iteration = 1,
                SavedAt = T0,
            }, 0);
        }

        for (int round = 1; round <= 2; round++)
        {
            // Round 2 is after every round-1 lease expired (the hosts "died"): each run is taken over exactly once again.
            DateTimeOffset now = T0.AddMinutes(round * 10);
            List<RunLease>[] claimed = await Task.WhenAll(hosts.Select((store, host) => Task.Run(async () =>
            {
                var mine = new List<RunLease>();
                while (true)
                {
                    IReadOnlyList<RunLease> batch = await store.ClaimInterruptedAsync($"host-{host}", now, TimeSpan.FromMinutes(1), 4);
                    if (batch.Count == 0)
                    {
                        return mine;
                    }

                    mine.AddRange(batch);
                }
            })));

            RunLease[] all = [.. claimed.SelectMany(c => c)];
            Assert.Equal(Runs, all.Length);
            Assert.Equal(Runs, all.Select(l => l.RunId).Distinct(StringComparer.Ordinal).Count());
            Assert.All(all, l => Assert.Equal(round, l.Token));
        }
    }
}
