using Executus.Batteries.Budget;

namespace Executus.Batteries.Budget.Tests;

public class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly BudgetScopeKey Alice = BudgetScopeKey.Caller("alice");

    private static BudgetLedgerEntry Charge(string id, DateTimeOffset at, long tokens) => new(id, at, [Alice], new BudgetAmount(tokens, 0m));

    private static async Task<long> WindowSpendAsync(InMemoryBudgetStore store, DateTimeOffset now, TimeSpan window, string id)
    {
        BudgetReservationResult result = await store.TryReserveAsync(new BudgetReservationRequest(id, [new BudgetScopeLimit(Alice, MaxTokens: long.MaxValue / 2)], BudgetAmount.Zero, now, window, now.AddMinutes(1)));
        return result.Scopes[0].Spent.Tokens;
    }

    [Fact]
    public async Task Reservations_through_more_shared_scope_lists_than_the_cache_holds_reach_the_right_accounts()
    {
        // The budget's path remembers each shared scope list's accounts (a bounded cache, emptied when full): lists
        // beyond its bound, and lists with the same keys in another order, still reserve against the right accounts.
        var store = new InMemoryBudgetStore();
        BudgetScopeKey bob = BudgetScopeKey.Caller("bob");
        var amount = new BudgetAmount(1, 0m);
        Span<BudgetAmount> spent = stackalloc BudgetAmount[2];
        Span<BudgetAmount> reserved = stackalloc BudgetAmount[2];
        const int Lists = 5_000;
        for (int i = 0; i < Lists; i++)
        {
            BudgetScopeLimit[] scopes = i % 2 == 0
                ? [new BudgetScopeLimit(BudgetScopeKey.Global), new BudgetScopeLimit(Alice)]
                : [new BudgetScopeLimit(bob), new BudgetScopeLimit(BudgetScopeKey.Global)];
            Assert.Null(store.TryReserve($"r{i}", scopes, amount, T0, TimeSpan.FromDays(7), T0.AddHours(1), spent, reserved));
            Assert.Null(store.TryReserve($"again{i}", scopes, amount, T0, TimeSpan.FromDays(7), T0.AddHours(1), spent, reserved));
        }

        Assert.Equal(2L * Lists, (await store.GetReservedAsync(BudgetScopeKey.Global, T0)).Tokens);
        Assert.Equal((long)Lists, (await store.GetReservedAsync(Alice, T0)).Tokens);
        Assert.Equal((long)Lists, (await store.GetReservedAsync(bob, T0)).Tokens);
        for (int i = 0; i < Lists; i++)
        {
            Assert.True(await store.ReleaseAsync($"r{i}"));
        }

        Assert.Equal((long)Lists, (await store.GetReservedAsync(BudgetScopeKey.Global, T0)).Tokens);
        Assert.Equal(Lists / 2L, (await store.GetReservedAsync(Alice, T0)).Tokens);
        Assert.Equal(Lists / 2L, (await store.GetReservedAsync(bob, T0)).Tokens);
    }

    [Fact]
    public async Task Out_of_order_charges_land_on_the_right_side_of_the_window_cursor()
    {
        var store = new InMemoryBudgetStore();
        await store.RecordAsync(Charge("a", T0.AddDays(1), 1));
        await store.RecordAsync(Charge("b", T0.AddDays(3), 2));
        Assert.Equal(3, await WindowSpendAsync(store, T0.AddDays(8), TimeSpan.FromDays(7), "q1")); // cursor now at day 1

        await store.RecordAsync(Charge("late-old", T0.AddHours(12), 100)); // older than the cursor: outside
        await store.RecordAsync(Charge("late-new", T0.AddDays(2), 10)); // inside, between a and b
        Assert.Equal(13, await WindowSpendAsync(store, T0.AddDays(8), TimeSpan.FromDays(7), "q2"));
        Assert.Equal(12, await WindowSpendAsync(store, T0.AddDays(9), TimeSpan.FromDays(7), "q3"));
        Assert.Equal(113, (await store.GetSpendAsync(Alice, T0, T0.AddDays(9))).Tokens);
    }

    [Fact]
    public async Task Charges_at_the_same_tick_for_the_same_accounts_share_one_entry_and_leave_the_window_together()
    {
        var store = new InMemoryBudgetStore();
        BudgetScopeKey bob = BudgetScopeKey.Caller("bob");
        DateTimeOffset at = T0.AddDays(1);
        for (int i = 0; i < 100; i++)
        {
            await store.RecordAsync(new BudgetLedgerEntry($"a{i}", at, [BudgetScopeKey.Global, Alice], new BudgetAmount(1, 0.25m)));
        }

        Assert.Equal(1, store.LedgerEntryCount);

        // Another account set or another tick starts a new entry; a charge for the first set after them starts one too.
        await store.RecordAsync(new BudgetLedgerEntry("b", at, [BudgetScopeKey.Global, bob], new BudgetAmount(5, 1m)));
        await store.RecordAsync(new BudgetLedgerEntry("c", at.AddTicks(1), [BudgetScopeKey.Global, Alice], new BudgetAmount(7, 0m)));
        await store.RecordAsync(new BudgetLedgerEntry("d", at.AddTicks(1), [BudgetScopeKey.Global, Alice], new BudgetAmount(3, 0m)));
        Assert.Equal(3, store.LedgerEntryCount);

        BudgetAmount alice = await store.GetSpendAsync(Alice, T0, at.AddDays(1));
        Assert.Equal(110, alice.Tokens);
        Assert.Equal(25m, alice.Cost);
        Assert.Equal(115, (await store.GetSpendAsync(BudgetScopeKey.Global, T0, at.AddDays(1))).Tokens);

        // The 7-day window at `at` + 7 days still holds every charge; one tick later the 100 merged charges leave at once.
        TimeSpan week = TimeSpan.FromDays(7);
        Assert.Equal(110, await WindowSpendAsync(store, at + week, week, "q1"));
        Assert.Equal(10, await WindowSpendAsync(store, at + week + TimeSpan.FromTicks(1), week, "q2"));

        // A charge merged into the newest entry after the window has moved counts while its tick is inside the window.
        await store.RecordAsync(new BudgetLedgerEntry("late", at.AddTicks(1), [BudgetScopeKey.Global, Alice], new BudgetAmount(1000, 0m)));
        Assert.Equal(1010, await WindowSpendAsync(store, at + week + TimeSpan.FromTicks(1), week, "q3"));
        Assert.Equal(0, await WindowSpendAsync(store, at + week + TimeSpan.FromTicks(2), week, "q4"));
    }

    [Fact]
    public async Task Charges_older_than_the_retention_are_dropped_but_never_inside_a_requested_window()
    {
        var store = new InMemoryBudgetStore(retention: TimeSpan.FromDays(2));
        Assert.Equal(0, await WindowSpendAsync(store, T0, TimeSpan.FromDays(7), "w")); // a 7-day window was asked about
        for (int day = 0; day < 3000; day++)
        {
            await store.RecordAsync(Charge($"c{day}", T0.AddHours(day), 1));
        }

        DateTimeOffset last = T0.AddHours(2999);
        Assert.Equal((7 * 24) + 1, await WindowSpendAsync(store, last, TimeSpan.FromDays(7), "q"));
        Assert.Equal((7 * 24) + 1, (await store.GetSpendAsync(Alice, T0, last)).Tokens);
    }

    [Fact]
    public async Task A_ledger_over_many_chunks_with_late_charges_and_pruning_sums_like_a_plain_list()
    {
        // The ledger is kept in fixed-size chunks: sums across chunk edges, late inserts that shift across them and
        // pruning that drops whole chunks must match a naive sum of what should be kept.
        var store = new InMemoryBudgetStore(retention: TimeSpan.FromHours(30));
        var kept = new List<(DateTimeOffset At, long Tokens)>();
        var random = new Random(7);
        DateTimeOffset latest = T0;
        for (int i = 0; i < 4000; i++)
        {
            DateTimeOffset at = T0.AddMinutes(i);
            if (i % 37 == 0 && i > 600)
            {
                at = at.AddMinutes(-random.Next(1, 600)); // a late charge, up to ten hours old
            }

            long tokens = 1 + random.Next(100);
            await store.RecordAsync(Charge($"c{i}", at, tokens));
            kept.Add((at, tokens));
            latest = at > latest ? at : latest;
            if (i % 250 == 0)
            {
                DateTimeOffset now = T0.AddMinutes(i);
                long expected = kept.Where(c => c.At >= now - TimeSpan.FromHours(6) && c.At <= now).Sum(c => c.Tokens);
                Assert.Equal(expected, await WindowSpendAsync(store, now, TimeSpan.FromHours(6), $"q{i}"));
            }
        }

        DateTimeOffset end = T0.AddMinutes(3999);
        long inRange = kept.Where(c => c.At >= end.AddHours(-20) && c.At <= end).Sum(c => c.Tokens);
        Assert.Equal(inRange, (await store.GetSpendAsync(Alice, end.AddHours(-20), end)).Tokens);
        Assert.Equal(kept.Where(c => c.At >= end.AddHours(-6)).Sum(c => c.Tokens), await WindowSpendAsync(store, end, TimeSpan.FromHours(6), "last"));
    }

    [Fact]
    public async Task Shared_charges_sum_per_account_as_the_window_moves_forward_back_and_changes_length()
    {
        // One ledger entry per charge, counted for each of its accounts: checks whose clock is a little behind the last
        // one, a longer window, late charges and pruning must all give every account the naive sum of its charges.
        BudgetScopeKey bob = BudgetScopeKey.Caller("bob"), acme = BudgetScopeKey.Tenant("acme"), global = BudgetScopeKey.Global;
        BudgetScopeKey[][] sets = [[global, acme, Alice], [global, acme, bob], [global, bob], [Alice], [global, Alice, Alice]];
        BudgetScopeKey[] accounts = [global, acme, Alice, bob];
        var store = new InMemoryBudgetStore(retention: TimeSpan.FromHours(30));
        var kept = new List<(DateTimeOffset At, BudgetScopeKey[] Keys, long Tokens, decimal Cost)>();
        var random = new Random(11);
        for (int i = 0; i < 3000; i++)
        {
            DateTimeOffset at = T0.AddMinutes(i).AddMinutes(i % 29 == 0 ? -random.Next(1, 300) : 0);
            BudgetScopeKey[] keys = sets[random.Next(sets.Length)];
            long tokens = 1 + random.Next(50);
            decimal cost = random.Next(1000) / 1000m;
            await store.RecordAsync(new BudgetLedgerEntry($"c{i}", at, keys, new BudgetAmount(tokens, cost)));
            kept.Add((at, keys, tokens, cost));
            if (i % 97 == 0)
            {
                DateTimeOffset now = T0.AddMinutes(i - random.Next(0, 40)); // sometimes behind the previous check
                TimeSpan window = TimeSpan.FromHours(i % 5 == 0 ? 12 : 6);
                BudgetReservationResult result = await store.TryReserveAsync(new BudgetReservationRequest(
                    $"q{i}", [.. accounts.Select(a => new BudgetScopeLimit(a))], BudgetAmount.Zero, now, window, now.AddMinutes(1)));
                for (int a = 0; a < accounts.Length; a++)
                {
                    BudgetScopeKey account = accounts[a];
                    var mine = kept.Where(c => c.Keys.Contains(account) && c.At >= now - window).ToList();
                    Assert.Equal(new BudgetAmount(mine.Sum(c => c.Tokens), mine.Sum(c => c.Cost)), result.Scopes[a].Spent);
                }

                await store.ReleaseAsync($"q{i}");
            }
        }

        DateTimeOffset end = T0.AddMinutes(2999);
        foreach (BudgetScopeKey account in accounts)
        {
            var mine = kept.Where(c => c.Keys.Contains(account) && c.At >= end.AddHours(-20) && c.At <= end).ToList();
            Assert.Equal(new BudgetAmount(mine.Sum(c => c.Tokens), mine.Sum(c => c.Cost)), await store.GetSpendAsync(account, end.AddHours(-20), end));
        }

        IReadOnlyList<BudgetSpendRow> top = await store.GetTopSpendersAsync(BudgetScope.Caller, end.AddHours(-20), end, 5, BudgetMetric.Tokens);
        Assert.Equal(2, top.Count);
        Assert.True(top[0].Spent.Tokens >= top[1].Spent.Tokens);
        Assert.Equal(
            top.Select(r => r.Spent.Tokens),
            top.Select(r => kept.Where(c => c.Keys.Contains(r.Key) && c.At >= end.AddHours(-20) && c.At <= end).Sum(c => c.Tokens)));
    }

    [Fact]
    public async Task A_caller_that_reuses_and_changes_its_scope_list_charges_the_accounts_it_names_each_time()
    {
        var store = new InMemoryBudgetStore();
        BudgetScopeKey bob = BudgetScopeKey.Caller("bob");
        var scopes = new List<BudgetScopeKey> { Alice };
        await store.RecordAsync(new BudgetLedgerEntry("a", T0, scopes, new BudgetAmount(1, 0m)));
        scopes[0] = bob;
        await store.RecordAsync(new BudgetLedgerEntry("b", T0, scopes, new BudgetAmount(10, 0m)));

        Assert.Equal(1, (await store.GetSpendAsync(Alice, T0, T0)).Tokens);
        Assert.Equal(10, (await store.GetSpendAsync(bob, T0, T0)).Tokens);
    }

    [Fact]
    public async Task A_duplicate_reservation_id_is_refused()
    {
        var store = new InMemoryBudgetStore();
        await WindowSpendAsync(store, T0, TimeSpan.FromDays(7), "same");
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await WindowSpendAsync(store, T0, TimeSpan.FromDays(7), "same"));
    }

    [Fact]
    public void Scope_keys_parse_and_format()
    {
        Assert.True(BudgetScopeKey.TryParse("tenant:acme:eu", out BudgetScopeKey key));
        Assert.Equal(BudgetScopeKey.Tenant("acme:eu"), key);
        Assert.Equal("tenant:acme:eu", key.ToString());
        Assert.True(BudgetScopeKey.TryParse("GLOBAL", out BudgetScopeKey global));
        Assert.Equal(BudgetScopeKey.Global, global);
        Assert.Equal(BudgetScopeKey.Global, default);
        Assert.False(BudgetScopeKey.TryParse("team:x", out _));
        Assert.False(BudgetScopeKey.TryParse("caller:", out _));
        Assert.Throws<ArgumentException>(() => BudgetScopeKey.Caller(" "));
    }

    [Fact]
    public async Task Settled_reservations_leave_the_expiry_queue_without_losing_the_live_ones()
    {
        var store = new InMemoryBudgetStore();
        var limit = new BudgetScopeLimit(Alice, MaxTokens: 1_000_000);
        for (int i = 0; i < 1000; i++)
        {
            DateTimeOffset now = T0.AddSeconds(i);
            await store.TryReserveAsync(new BudgetReservationRequest($"r{i}", [limit], new BudgetAmount(10, 0m), now, TimeSpan.FromDays(7), now.AddHours(1)));
            if (i % 100 != 7)
            {
                // Settled at once, except ten reservations that stay live (a call that never came back).
                Assert.True(await store.SettleAsync($"r{i}", Charge($"c{i}", now, 10)));
            }
        }

        Assert.Equal(10, store.LiveReservationCount);
        Assert.Equal(100, (await store.GetReservedAsync(Alice, T0.AddSeconds(1000))).Tokens);
        Assert.Equal(10, await store.ReleaseExpiredAsync(T0.AddSeconds(999).AddHours(1)));
        Assert.Equal(0, store.LiveReservationCount);
        Assert.Equal(0, (await store.GetReservedAsync(Alice, T0.AddDays(1))).Tokens);
        Assert.Equal(9900, (await store.GetSpendAsync(Alice, T0, T0.AddDays(1))).Tokens);
    }
}
