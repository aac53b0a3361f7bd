using Executus.Batteries.Budget;
using Xunit;

namespace Executus.Testing.Conformance.Budget;

/// <summary>
/// The behaviour every <see cref="IBudgetStore"/> must have. Derive a test class, implement <see cref="CreateStoreAsync"/>
/// to return a new, empty store, and every case runs against it (in-memory, SQLite, PostgreSQL…).
/// </summary>
public abstract class BudgetStoreConformanceTests
{
    /// <summary>A fixed instant the cases are built around.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The window the cases use.</summary>
    protected static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static readonly BudgetScopeKey Alice = BudgetScopeKey.Caller("alice");
    private static readonly BudgetScopeKey Bob = BudgetScopeKey.Caller("bob");
    private static readonly BudgetScopeKey Acme = BudgetScopeKey.Tenant("acme");

    /// <summary>Creates a new, empty store for one case.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IBudgetStore> CreateStoreAsync();

    /// <summary>Checks a charge is counted toward every account it names and no other.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ChargeCountsTowardEachOfItsAccountsOnly()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("c1", T0, 100, 1.5m, BudgetScopeKey.Global, Acme, Alice));
        await store.RecordAsync(Charge("c2", T0, 10, 0.25m, BudgetScopeKey.Global, Bob));

        Assert.Equal(new BudgetAmount(110, 1.75m), await store.GetSpendAsync(BudgetScopeKey.Global, T0 - Week, T0));
        Assert.Equal(new BudgetAmount(100, 1.5m), await store.GetSpendAsync(Acme, T0 - Week, T0));
        Assert.Equal(new BudgetAmount(100, 1.5m), await store.GetSpendAsync(Alice, T0 - Week, T0));
        Assert.Equal(new BudgetAmount(10, 0.25m), await store.GetSpendAsync(Bob, T0 - Week, T0));
        Assert.Equal(BudgetAmount.Zero, await store.GetSpendAsync(BudgetScopeKey.Tenant("other"), T0 - Week, T0));
    }

    /// <summary>Checks the range of <see cref="IBudgetStore.GetSpendAsync"/> is inclusive at both ends.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SpendRangeIsInclusive()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("a", T0, 1, 0m, Alice));
        await store.RecordAsync(Charge("b", T0.AddHours(1), 2, 0m, Alice));
        await store.RecordAsync(Charge("c", T0.AddHours(2), 4, 0m, Alice));

        Assert.Equal(7, (await store.GetSpendAsync(Alice, T0, T0.AddHours(2))).Tokens);
        Assert.Equal(2, (await store.GetSpendAsync(Alice, T0.AddTicks(1), T0.AddHours(2).AddTicks(-1))).Tokens);
    }

    /// <summary>Checks the rolling window: a charge exactly a window old counts, one tick older does not.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RollingWindowCountsAChargeExactlyAWindowOldButNotOneTickOlder()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("old", T0, 60, 0m, Alice));
        await store.RecordAsync(Charge("new", T0.AddDays(3), 30, 0m, Alice));
        BudgetScopeLimit limit = new(Alice, MaxTokens: 100);

        BudgetReservationResult atEdge = await store.TryReserveAsync(Request("r1", [limit], 10, 0m, T0 + Week));
        Assert.True(atEdge.Granted);
        Assert.Equal(90, Assert.Single(atEdge.Scopes).Spent.Tokens);
        Assert.True(await store.ReleaseAsync("r1"));

        BudgetReservationResult after = await store.TryReserveAsync(Request("r2", [limit], 10, 0m, T0 + Week + TimeSpan.FromTicks(1)));
        Assert.True(after.Granted);
        Assert.Equal(30, Assert.Single(after.Scopes).Spent.Tokens);
    }

    /// <summary>Checks spend is a ledger summed over the window, so a longer window after a shorter one still sees older charges.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task WindowIsASumOfTheLedgerNotAResettingCounter()
    {
        IBudgetStore store = await CreateStoreAsync();
        for (int day = 0; day < 20; day++)
        {
            await store.RecordAsync(Charge($"d{day}", T0.AddDays(day), 10, 1m, Alice));
        }

        DateTimeOffset now = T0.AddDays(19);
        BudgetReservationResult week = await store.TryReserveAsync(Request("w", [new(Alice, MaxTokens: 1_000)], 0, 0m, now, Week));
        Assert.Equal(80, week.Scopes[0].Spent.Tokens);
        BudgetReservationResult fortnight = await store.TryReserveAsync(Request("f", [new(Alice, MaxTokens: 1_000)], 0, 0m, now, TimeSpan.FromDays(14)));
        Assert.Equal(150, fortnight.Scopes[0].Spent.Tokens);
        BudgetReservationResult later = await store.TryReserveAsync(Request("l", [new(Alice, MaxTokens: 1_000)], 0, 0m, now.AddDays(1), Week));
        Assert.Equal(70, later.Scopes[0].Spent.Tokens);
    }

    /// <summary>Checks a granted reservation is held against every account until settled or released.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task GrantedReservationIsHeldAgainstEveryAccount()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(BudgetScopeKey.Global), new(Acme, MaxTokens: 1_000), new(Alice, MaxCost: 10m)];

        BudgetReservationResult first = await store.TryReserveAsync(Request("r1", scopes, 400, 4m, T0));
        Assert.True(first.Granted);
        Assert.All(first.Scopes, s => Assert.Equal(BudgetAmount.Zero, s.Reserved));

        BudgetReservationResult second = await store.TryReserveAsync(Request("r2", scopes, 400, 4m, T0));
        Assert.True(second.Granted);
        Assert.All(second.Scopes, s => Assert.Equal(new BudgetAmount(400, 4m), s.Reserved));
        Assert.Equal(new BudgetAmount(800, 8m), await store.GetReservedAsync(BudgetScopeKey.Global, T0));
        Assert.Equal(new BudgetAmount(800, 8m), await store.GetReservedAsync(Acme, T0));
    }

    /// <summary>Checks a refusal names the account, the limit, the committed spend and the estimate, and reserves nothing.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RefusalNamesTheAccountLimitSpendAndReservesNothing()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("c", T0, 700, 7m, BudgetScopeKey.Global, Acme, Alice));
        BudgetScopeLimit[] scopes = [new(BudgetScopeKey.Global, MaxTokens: 10_000), new(Acme, MaxCost: 10m), new(Alice, MaxTokens: 5_000)];
        Assert.True((await store.TryReserveAsync(Request("held", scopes, 100, 2m, T0.AddHours(1), expiresIn: TimeSpan.FromHours(3)))).Granted);

        BudgetReservationResult refused = await store.TryReserveAsync(Request("r", scopes, 100, 1.5m, T0.AddHours(2)));

        Assert.False(refused.Granted);
        BudgetRefusal refusal = refused.Refusal!;
        Assert.Equal(Acme, refusal.Scope);
        Assert.Equal(BudgetMetric.Cost, refusal.Metric);
        Assert.Equal(10m, refusal.Limit);
        Assert.Equal(9m, refusal.Spent);
        Assert.Equal(1.5m, refusal.Requested);
        Assert.Equal(new BudgetAmount(100, 2m), await store.GetReservedAsync(Acme, T0.AddHours(2)));
    }

    /// <summary>Checks retry-after is when enough settled spend leaves the window for the estimate to fit.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task RetryAfterIsWhenEnoughSpendLeavesTheWindow()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("a", T0, 50, 0m, Alice));
        await store.RecordAsync(Charge("b", T0.AddDays(1), 30, 0m, Alice));
        await store.RecordAsync(Charge("c", T0.AddDays(2), 20, 0m, Alice));
        DateTimeOffset now = T0.AddDays(3);

        // 100 spent of 100; 60 more needs a (50) and b (30) gone: b leaves one tick after T0 + 1d + 7d.
        BudgetReservationResult refused = await store.TryReserveAsync(Request("r", [new(Alice, MaxTokens: 100)], 60, 0m, now));

        Assert.Equal(T0.AddDays(1) + Week + TimeSpan.FromTicks(1) - now, refused.Refusal!.RetryAfter);
    }

    /// <summary>Checks an estimate larger than the limit itself is refused with no retry-after (it can never fit).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task EstimateOverTheLimitItselfHasNoRetryAfter()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetReservationResult refused = await store.TryReserveAsync(Request("r", [new(Alice, MaxTokens: 100)], 101, 0m, T0));
        Assert.False(refused.Granted);
        Assert.Null(refused.Refusal!.RetryAfter);
    }

    /// <summary>Checks accounts without limits are tracked but never refuse.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task UnlimitedAccountsAreTrackedButNeverRefuse()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetReservationResult result = await store.TryReserveAsync(Request("r", [new(Alice)], long.MaxValue / 4, 1_000_000m, T0));
        Assert.True(result.Granted);
        Assert.True(await store.SettleAsync("r", Charge("r", T0, 5, 0.5m, Alice)));
        Assert.Equal(new BudgetAmount(5, 0.5m), await store.GetSpendAsync(Alice, T0, T0));
    }

    /// <summary>Checks settling replaces the reservation with the actual charge.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SettleReplacesTheReservationWithTheActualCharge()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(Alice, MaxTokens: 1_000)];
        Assert.True((await store.TryReserveAsync(Request("r", scopes, 500, 0m, T0))).Granted);

        Assert.True(await store.SettleAsync("r", Charge("r", T0.AddSeconds(1), 120, 0.12m, Alice)));

        Assert.Equal(BudgetAmount.Zero, await store.GetReservedAsync(Alice, T0.AddSeconds(1)));
        Assert.Equal(new BudgetAmount(120, 0.12m), await store.GetSpendAsync(Alice, T0, T0.AddSeconds(1)));
        Assert.False(await store.SettleAsync("r", Charge("r-again", T0.AddSeconds(2), 1, 0m, Alice)));
    }

    /// <summary>Checks releasing drops the reservation and charges nothing; an unknown id is a no-op.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ReleaseDropsTheReservationAndChargesNothing()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(Alice, MaxTokens: 1_000)];
        Assert.True((await store.TryReserveAsync(Request("r", scopes, 900, 0m, T0))).Granted);
        Assert.False((await store.TryReserveAsync(Request("r2", scopes, 900, 0m, T0))).Granted);

        Assert.True(await store.ReleaseAsync("r"));
        Assert.False(await store.ReleaseAsync("r"));
        Assert.False(await store.ReleaseAsync("never-made"));

        Assert.True((await store.TryReserveAsync(Request("r3", scopes, 900, 0m, T0))).Granted);
        Assert.Equal(BudgetAmount.Zero, await store.GetSpendAsync(Alice, T0 - Week, T0));
    }

    /// <summary>Checks an unsettled reservation stops counting when it expires and is then released.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ExpiredReservationsAreReleased()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(Alice, MaxTokens: 1_000)];
        Assert.True((await store.TryReserveAsync(Request("crashed", scopes, 900, 0m, T0, expiresIn: TimeSpan.FromMinutes(10)))).Granted);
        Assert.True((await store.TryReserveAsync(Request("later", scopes, 50, 0m, T0.AddMinutes(5), expiresIn: TimeSpan.FromMinutes(10)))).Granted);

        Assert.False((await store.TryReserveAsync(Request("blocked", scopes, 900, 0m, T0.AddMinutes(9)))).Granted);
        Assert.Equal(new BudgetAmount(950, 0m), await store.GetReservedAsync(Alice, T0.AddMinutes(9)));

        Assert.Equal(1, await store.ReleaseExpiredAsync(T0.AddMinutes(10)));
        Assert.Equal(new BudgetAmount(50, 0m), await store.GetReservedAsync(Alice, T0.AddMinutes(10)));
        Assert.True((await store.TryReserveAsync(Request("fits", scopes, 900, 0m, T0.AddMinutes(10)))).Granted);
        Assert.Equal(0, await store.ReleaseExpiredAsync(T0.AddMinutes(10)));
    }

    /// <summary>Checks an expired reservation that was never explicitly released no longer counts at check time.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ExpiredReservationsStopCountingAtCheckTime()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(Alice, MaxTokens: 1_000)];
        Assert.True((await store.TryReserveAsync(Request("crashed", scopes, 900, 0m, T0, expiresIn: TimeSpan.FromMinutes(10)))).Granted);

        BudgetReservationResult result = await store.TryReserveAsync(Request("next", scopes, 900, 0m, T0.AddMinutes(10)));

        Assert.True(result.Granted);
        Assert.Equal(BudgetAmount.Zero, result.Scopes[0].Reserved);
    }

    /// <summary>Checks a settle that arrives after its reservation expired still records the spend.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task SettleAfterExpiryStillRecordsTheSpend()
    {
        IBudgetStore store = await CreateStoreAsync();
        Assert.True((await store.TryReserveAsync(Request("slow", [new(Alice, MaxTokens: 1_000)], 100, 0m, T0, expiresIn: TimeSpan.FromMinutes(1)))).Granted);
        Assert.Equal(1, await store.ReleaseExpiredAsync(T0.AddMinutes(2)));

        Assert.False(await store.SettleAsync("slow", Charge("slow", T0.AddMinutes(3), 80, 0m, Alice)));

        Assert.Equal(80, (await store.GetSpendAsync(Alice, T0, T0.AddMinutes(3))).Tokens);
        Assert.Equal(BudgetAmount.Zero, await store.GetReservedAsync(Alice, T0.AddMinutes(3)));
    }

    /// <summary>Checks the top spenders of a scope: ranked by the chosen metric, limited, within the period, others' scopes excluded.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task TopSpendersAreRankedLimitedAndScoped()
    {
        IBudgetStore store = await CreateStoreAsync();
        await store.RecordAsync(Charge("1", T0, 100, 1m, Alice, Acme));
        await store.RecordAsync(Charge("2", T0, 300, 0.5m, Bob));
        await store.RecordAsync(Charge("3", T0, 200, 2m, BudgetScopeKey.Caller("carol")));
        await store.RecordAsync(Charge("4", T0.AddDays(-30), 10_000, 100m, BudgetScopeKey.Caller("dave")));

        IReadOnlyList<BudgetSpendRow> byTokens = await store.GetTopSpendersAsync(BudgetScope.Caller, T0 - Week, T0, 2, BudgetMetric.Tokens);
        Assert.Equal(["bob", "carol"], byTokens.Select(r => r.Key.Key));
        Assert.Equal(new BudgetAmount(300, 0.5m), byTokens[0].Spent);

        IReadOnlyList<BudgetSpendRow> byCost = await store.GetTopSpendersAsync(BudgetScope.Caller, T0 - Week, T0, 10, BudgetMetric.Cost);
        Assert.Equal(["carol", "alice", "bob"], byCost.Select(r => r.Key.Key));

        IReadOnlyList<BudgetSpendRow> tenants = await store.GetTopSpendersAsync(BudgetScope.Tenant, T0 - Week, T0, 10, BudgetMetric.Cost);
        Assert.Equal(Acme, Assert.Single(tenants).Key);
    }

    /// <summary>Checks that 64 concurrent reservations against one cap never hold more than the cap.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ConcurrentReservationsNeverExceedTheCap()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(BudgetScopeKey.Global, MaxTokens: 1_000), new(Alice)];
        using var start = new ManualResetEventSlim();
        Task<BudgetReservationResult>[] tasks = [.. Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await store.TryReserveAsync(Request($"r{i}", scopes, 100, 0m, T0));
        }))];
        start.Set();
        BudgetReservationResult[] results = await Task.WhenAll(tasks);

        Assert.Equal(10, results.Count(r => r.Granted));
        Assert.Equal(new BudgetAmount(1_000, 0m), await store.GetReservedAsync(BudgetScopeKey.Global, T0));
    }

    /// <summary>Checks concurrent settles, releases and records leave exact sums.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task ConcurrentSettlesReleasesAndRecordsKeepExactSums()
    {
        IBudgetStore store = await CreateStoreAsync();
        BudgetScopeLimit[] scopes = [new(BudgetScopeKey.Global, MaxTokens: 1_000_000), new(Alice)];
        for (int i = 0; i < 64; i++)
        {
            Assert.True((await store.TryReserveAsync(Request($"r{i}", scopes, 50, 0m, T0))).Granted);
        }

        using var start = new ManualResetEventSlim();
        Task[] tasks = [.. Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            start.Wait();
            if (i % 2 == 0)
            {
                await store.SettleAsync($"r{i}", Charge($"r{i}", T0.AddSeconds(i), 10, 0.01m, BudgetScopeKey.Global, Alice));
            }
            else
            {
                await store.ReleaseAsync($"r{i}");
            }

            await store.RecordAsync(Charge($"x{i}", T0.AddSeconds(i), 1, 0.001m, BudgetScopeKey.Global, Alice));
        }))];
        start.Set();
        await Task.WhenAll(tasks);

        Assert.Equal(BudgetAmount.Zero, await store.GetReservedAsync(BudgetScopeKey.Global, T0.AddMinutes(2)));
        Assert.Equal(new BudgetAmount((32 * 10) + 64, (32 * 0.01m) + (64 * 0.001m)), await store.GetSpendAsync(Alice, T0, T0.AddMinutes(2)));
        Assert.Equal(new BudgetAmount((32 * 10) + 64, (32 * 0.01m) + (64 * 0.001m)), await store.GetSpendAsync(BudgetScopeKey.Global, T0, T0.AddMinutes(2)));
    }

    /// <summary>Builds a ledger entry.</summary>
    /// <param name="id">The id.</param>
    /// <param name="at">When.</param>
    /// <param name="tokens">Tokens.</param>
    /// <param name="cost">Money.</param>
    /// <param name="scopes">The accounts.</param>
    /// <returns>The entry.</returns>
    protected static BudgetLedgerEntry Charge(string id, DateTimeOffset at, long tokens, decimal cost, params BudgetScopeKey[] scopes) =>
        new(id, at, scopes, new BudgetAmount(tokens, cost)) { RunId = "run-" + id, Model = "test:model" };

    /// <summary>Builds a reservation request.</summary>
    /// <param name="id">The reservation id.</param>
    /// <param name="scopes">The accounts and limits.</param>
    /// <param name="tokens">The estimated tokens.</param>
    /// <param name="cost">The estimated money.</param>
    /// <param name="now">The current time.</param>
    /// <param name="window">The window (default 7 days).</param>
    /// <param name="expiresIn">How long the reservation holds (default 10 minutes).</param>
    /// <returns>The request.</returns>
    protected static BudgetReservationRequest Request(string id, IReadOnlyList<BudgetScopeLimit> scopes, long tokens, decimal cost, DateTimeOffset now, TimeSpan? window = null, TimeSpan? expiresIn = null) =>
        new(id, scopes, new BudgetAmount(tokens, cost), now, window ?? Week, now + (expiresIn ?? TimeSpan.FromMinutes(10))) { RunId = "run-" + id };
}
