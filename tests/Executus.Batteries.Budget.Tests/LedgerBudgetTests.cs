using Executus.Batteries.Budget;
using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Batteries.Budget.Tests;

public class LedgerBudgetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallerIdentity Alice = new CallerIdentity("alice", "Alice").WithTenant("acme");
    private static readonly CallerIdentity Bob = new CallerIdentity("bob", "Bob").WithTenant("acme");

    private static BudgetOptions Options(params BudgetLimit[] limits)
    {
        var options = new BudgetOptions { Estimate = BudgetEstimateMode.Fixed, FixedEstimateTokens = 100, SoftLimitPercent = 0 };
        options.Prices.Fallback = new ModelPrice(1m, 2m);
        foreach (BudgetLimit limit in limits)
        {
            options.Limits.Add(limit);
        }

        return options;
    }

    private static BudgetCheck Check(CallerIdentity caller, string agent = "writer", string run = "run-1", int iteration = 1) =>
        new() { RunId = run, AgentName = agent, Caller = caller, Model = "openai:gpt-test", Iteration = iteration, EstimatedInputTokens = 50, MaxOutputTokens = 50 };

    private static UsageDetails Usage(long input, long output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    private static async Task SpendAsync(LedgerBudget budget, BudgetCheck check, long input, long output)
    {
        BudgetDecision decision = await budget.CheckAsync(check);
        Assert.True(decision.Allowed, decision.Reason);
        await budget.SettleAsync(new BudgetCharge(new BudgetReservation(check, decision.ReservationId), Usage(input, output)));
    }

    public static TheoryData<string> ScopeCombinations()
    {
        string[] scopes = ["global", "tenant", "caller", "agent"];
        var data = new TheoryData<string>();
        for (int mask = 1; mask < 16; mask++)
        {
            data.Add(string.Join(",", scopes.Where((_, i) => (mask & (1 << i)) != 0)));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ScopeCombinations))]
    public async Task Every_scope_combination_is_checked_and_only_limited_scopes_refuse(string combination)
    {
        string[] limited = combination.Split(',');
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Scopes", combination);
        foreach (string scope in limited)
        {
            config.Set($"Executus:Budget:Limits:{scope}:Tokens", "1000");
        }

        config.Set("Executus:Budget:Estimate", "Fixed");
        config.Set("Executus:Budget:FixedEstimateTokens", "500");
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");
        var time = new FakeTimeProvider(T0);
        var budget = new LedgerBudget(new InMemoryBudgetStore(), () => BudgetOptions.FromConfig(config), time);

        // Bob shares alice's tenant, agent and the global account, but not her caller account.
        await SpendAsync(budget, Check(Bob, run: "bob-run"), 300, 300);

        BudgetDecision decision = await budget.CheckAsync(Check(Alice));

        string[] shared = ["global", "tenant", "agent"];
        string? expected = shared.FirstOrDefault(limited.Contains);
        if (expected is null)
        {
            Assert.True(decision.Allowed, decision.Reason);
        }
        else
        {
            Assert.False(decision.Allowed);
            Assert.NotNull(decision.Exceeded);
            Assert.StartsWith(expected, decision.Exceeded.Scope, StringComparison.Ordinal);
        }

        // Alice's own account: once she has spent, a caller limit refuses her next call too.
        if (decision.Allowed)
        {
            await budget.SettleAsync(new BudgetCharge(new BudgetReservation(Check(Alice), decision.ReservationId), Usage(300, 300)));
            BudgetDecision second = await budget.CheckAsync(Check(Alice, iteration: 2));
            Assert.False(second.Allowed);
            Assert.Equal("caller:alice", second.Exceeded!.Scope);
        }
    }

    [Fact]
    public async Task A_refusal_carries_scope_limit_spend_and_retry_after()
    {
        var time = new FakeTimeProvider(T0);
        var budget = new LedgerBudget(new InMemoryBudgetStore(), Options(new BudgetLimit(BudgetScope.Tenant, "acme", null, 1.00m)), time);
        await SpendAsync(budget, Check(Alice), 200_000, 400_000); // 0.20 + 0.80 = 1.00
        time.Advance(TimeSpan.FromHours(1));

        BudgetDecision decision = await budget.CheckAsync(Check(Alice, iteration: 2));

        Assert.False(decision.Allowed);
        BudgetLimitExceeded exceeded = decision.Exceeded!;
        Assert.Equal("tenant:acme", exceeded.Scope);
        Assert.Equal("money", exceeded.Metric);
        Assert.Equal(1.00m, exceeded.Limit);
        Assert.Equal(1.00m, exceeded.Spent);
        Assert.Equal(TimeSpan.FromDays(7) - TimeSpan.FromHours(1) + TimeSpan.FromTicks(1), exceeded.RetryAfter);
        Assert.Contains("tenant:acme", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("1.00", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rolling_window_edge_a_charge_seven_days_and_one_tick_old_no_longer_counts()
    {
        var time = new FakeTimeProvider(T0);
        var budget = new LedgerBudget(new InMemoryBudgetStore(), Options(new BudgetLimit(BudgetScope.Caller, null, 1000, null)), time);
        await SpendAsync(budget, Check(Alice), 500, 450); // 950 of 1000

        time.Advance(TimeSpan.FromDays(7));
        BudgetDecision atEdge = await budget.CheckAsync(Check(Alice, iteration: 2));
        Assert.False(atEdge.Allowed);
        Assert.Equal(TimeSpan.FromTicks(1), atEdge.Exceeded!.RetryAfter);

        time.Advance(TimeSpan.FromTicks(1));
        BudgetDecision after = await budget.CheckAsync(Check(Alice, iteration: 3));
        Assert.True(after.Allowed, after.Reason);
    }

    [Fact]
    public async Task An_unsettled_reservation_expires_and_is_released()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Global, null, 150, null));
        options.ReservationTimeout = TimeSpan.FromMinutes(5);
        var budget = new LedgerBudget(store, options, time);

        BudgetDecision crashed = await budget.CheckAsync(Check(Alice)); // never settled: the process "died"
        Assert.True(crashed.Allowed);
        Assert.False((await budget.CheckAsync(Check(Bob, run: "run-2"))).Allowed);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await budget.ReleaseExpiredAsync());
        Assert.Equal(0, store.LiveReservationCount);
        Assert.True((await budget.CheckAsync(Check(Bob, run: "run-3"))).Allowed);
    }

    [Fact]
    public async Task Release_frees_the_reservation_at_once()
    {
        var store = new InMemoryBudgetStore();
        var budget = new LedgerBudget(store, Options(new BudgetLimit(BudgetScope.Global, null, 150, null)), new FakeTimeProvider(T0));
        BudgetCheck check = Check(Alice);
        BudgetDecision decision = await budget.CheckAsync(check);

        await budget.ReleaseAsync(new BudgetReservation(check, decision.ReservationId));

        Assert.Equal(0, store.LiveReservationCount);
        Assert.True((await budget.CheckAsync(Check(Bob, run: "run-2"))).Allowed);
    }

    [Fact]
    public async Task Soft_limit_warns_once_per_run_and_account_with_the_remaining_budget()
    {
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Caller, null, 1000, null));
        options.SoftLimitPercent = 50;
        var budget = new LedgerBudget(new InMemoryBudgetStore(), options, new FakeTimeProvider(T0));

        await SpendAsync(budget, Check(Alice), 200, 100); // 300 + 100 estimate < 500: no warning
        BudgetDecision warned = await budget.CheckAsync(Check(Alice, iteration: 2)); // 300 + 100 + ... 
        await budget.SettleAsync(new BudgetCharge(new BudgetReservation(Check(Alice, iteration: 2), warned.ReservationId), Usage(200, 100)));
        BudgetDecision third = await budget.CheckAsync(Check(Alice, iteration: 3));

        Assert.Null(warned.Warning);
        Assert.NotNull(third.Warning);
        Assert.Contains("caller:alice", third.Warning, StringComparison.Ordinal);
        Assert.Contains("300 tokens remains", third.Warning, StringComparison.Ordinal);
        BudgetDecision fourth = await budget.CheckAsync(Check(Alice, iteration: 4));
        Assert.Null(fourth.Warning);
    }

    [Fact]
    public async Task Soft_lines_follow_a_changed_percentage_and_a_money_limit_between_calls()
    {
        // The budget keeps the soft lines of the last limits it saw; a changed default percentage or limit must apply to
        // the next call all the same.
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Caller, null, null, 10m));
        options.SoftLimitPercent = 90;
        BudgetOptions current = options;
        var budget = new LedgerBudget(new InMemoryBudgetStore(), () => current, new FakeTimeProvider(T0));

        // 300 input + 400 output at 1/2 per million = 0.0011; each check adds an estimate of 100 output-rate tokens (0.0002).
        await SpendAsync(budget, Check(Alice, run: "r1"), 300, 400);
        Assert.Null((await budget.CheckAsync(Check(Alice, run: "r2"))).Warning); // 0.0013 of 10: far from 90%

        options.SoftLimitPercent = 0.01; // the line drops to 0.001
        BudgetDecision low = await budget.CheckAsync(Check(Alice, run: "r3"));
        Assert.NotNull(low.Warning);
        Assert.Contains("money limit of 10.00", low.Warning, StringComparison.Ordinal);

        options.SoftLimitPercent = 0; // the default turns warnings off, a limit's own percentage still applies
        Assert.Null((await budget.CheckAsync(Check(Alice, run: "r4"))).Warning);
        current = Options(new BudgetLimit(BudgetScope.Caller, null, null, 0.002m) { SoftLimitPercent = 50 });
        BudgetDecision own = await budget.CheckAsync(Check(Alice, run: "r5"));
        Assert.NotNull(own.Warning);
        Assert.Contains("money limit of 0.002", own.Warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BudgetEstimateMode.Fixed, 100)]
    [InlineData(BudgetEstimateMode.MaxOutputTokens, 50 + 50)]
    public async Task The_estimate_follows_the_configured_mode(BudgetEstimateMode mode, long expectedTokens)
    {
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options();
        options.Estimate = mode;
        var budget = new LedgerBudget(store, options, new FakeTimeProvider(T0));

        await budget.CheckAsync(Check(Alice));

        Assert.Equal(expectedTokens, (await store.GetReservedAsync(BudgetScopeKey.Caller("alice"), T0)).Tokens);
    }

    [Fact]
    public async Task Previous_call_mode_reserves_the_input_plus_the_runs_previous_output()
    {
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options();
        options.Estimate = BudgetEstimateMode.PreviousCall;
        var budget = new LedgerBudget(store, options, new FakeTimeProvider(T0));
        await SpendAsync(budget, Check(Alice) with { MaxOutputTokens = null }, 10, 700);

        await budget.CheckAsync(Check(Alice, iteration: 2) with { MaxOutputTokens = null });

        Assert.Equal(50 + 700, (await store.GetReservedAsync(BudgetScopeKey.Caller("alice"), T0)).Tokens);
    }

    [Fact]
    public async Task An_unknown_model_without_a_fallback_is_a_config_error()
    {
        var options = new BudgetOptions();
        var budget = new LedgerBudget(new InMemoryBudgetStore(), options, new FakeTimeProvider(T0));
        ConfigException ex = await Assert.ThrowsAsync<ConfigException>(async () => await budget.CheckAsync(Check(Alice)));
        Assert.Equal("Executus:Budget:Prices:openai:gpt-test:Input", ex.Key);
    }

    [Fact]
    public async Task Settled_spend_is_priced_per_input_and_output_token_and_charged_to_every_account()
    {
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options();
        options.Prices.Set("openai:gpt-test", new ModelPrice(2.50m, 10m));
        var budget = new LedgerBudget(store, options, new FakeTimeProvider(T0));

        await SpendAsync(budget, Check(Alice), 1_000_000, 100_000);

        var expected = new BudgetAmount(1_100_000, 3.50m);
        Assert.Equal(expected, await store.GetSpendAsync(BudgetScopeKey.Global, T0, T0));
        Assert.Equal(expected, await store.GetSpendAsync(BudgetScopeKey.Tenant("acme"), T0, T0));
        Assert.Equal(expected, await store.GetSpendAsync(BudgetScopeKey.Caller("alice"), T0, T0));
        Assert.Equal(expected, await store.GetSpendAsync(BudgetScopeKey.Agent("writer"), T0, T0));
    }

    [Fact]
    public async Task Operator_queries_report_spend_top_spenders_and_remaining()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Caller, null, 10_000, 5m));
        var budget = new LedgerBudget(store, options, time);
        var queries = new BudgetQueries(store, () => options, time);
        await SpendAsync(budget, Check(Alice), 1000, 500); // 0.001 + 0.001 = 0.002
        await SpendAsync(budget, Check(Bob, run: "run-b"), 3000, 1000);
        time.Advance(TimeSpan.FromDays(8));
        await SpendAsync(budget, Check(Alice, run: "run-c"), 100, 100);

        Assert.Equal(200, (await queries.GetSpendAsync(BudgetScopeKey.Caller("alice"))).Tokens);
        Assert.Equal(1700, (await queries.GetSpendAsync(BudgetScopeKey.Caller("alice"), TimeSpan.FromDays(30))).Tokens);

        IReadOnlyList<BudgetSpendRow> top = await queries.GetTopSpendersAsync(BudgetScope.Caller, 5, BudgetMetric.Tokens, TimeSpan.FromDays(30));
        Assert.Equal(["bob", "alice"], top.Select(r => r.Key.Key));

        BudgetDecision held = await budget.CheckAsync(Check(Alice, run: "run-d"));
        BudgetRemaining remaining = await queries.GetRemainingAsync(BudgetScopeKey.Caller("alice"));
        Assert.Equal(10_000, remaining.Limit!.MaxTokens);
        Assert.Equal(200, remaining.Spent.Tokens);
        Assert.Equal(100, remaining.Reserved.Tokens);
        Assert.Equal(10_000 - 300, remaining.RemainingTokens);
        Assert.True(held.Allowed);
    }

    [Fact]
    public async Task Reservation_ids_are_unique_and_a_shared_stores_ids_name_the_run_and_call()
    {
        var memory = new InMemoryBudgetStore();
        BudgetOptions memoryOptions = Options(new BudgetLimit(BudgetScope.Global, null, 1_000_000, null));
        var a = new LedgerBudget(memory, memoryOptions);
        var b = new LedgerBudget(memory, memoryOptions);
        string?[] local =
        [
            (await a.CheckAsync(Check(new CallerIdentity("alice", "Alice"), iteration: 1))).ReservationId,
            (await b.CheckAsync(Check(new CallerIdentity("alice", "Alice"), iteration: 1))).ReservationId,
        ];

        // In one process a short counter is unique; a store other processes share gets ids that also name the run.
        Assert.Equal(2, local.Distinct(StringComparer.Ordinal).Count());
        Assert.All(local, id => Assert.StartsWith("mem-", id, StringComparison.Ordinal));
        var store = new SharedStore(new InMemoryBudgetStore());
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Global, null, 1_000_000, null));
        var first = new LedgerBudget(store, options);
        var second = new LedgerBudget(store, options);
        var caller = new CallerIdentity("alice", "Alice");

        string?[] ids =
        [
            (await first.CheckAsync(Check(caller, iteration: 1))).ReservationId,
            (await first.CheckAsync(Check(caller, iteration: 1))).ReservationId,
            (await second.CheckAsync(Check(caller, iteration: 1))).ReservationId,
        ];

        Assert.Equal(3, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.StartsWith("run-1/1/", id, StringComparison.Ordinal));
        Assert.Equal(3, store.Inner.LiveReservationCount);
    }

    /// <summary>A store the budget does not know as its in-memory default (the path a durable store takes).</summary>
    private sealed class SharedStore(InMemoryBudgetStore inner) : IBudgetStore
    {
        public InMemoryBudgetStore Inner => inner;

        public ValueTask<BudgetReservationResult> TryReserveAsync(BudgetReservationRequest request, CancellationToken cancellationToken = default) => inner.TryReserveAsync(request, cancellationToken);

        public ValueTask<bool> SettleAsync(string reservationId, BudgetLedgerEntry charge, CancellationToken cancellationToken = default) => inner.SettleAsync(reservationId, charge, cancellationToken);

        public ValueTask<bool> ReleaseAsync(string reservationId, CancellationToken cancellationToken = default) => inner.ReleaseAsync(reservationId, cancellationToken);

        public ValueTask RecordAsync(BudgetLedgerEntry charge, CancellationToken cancellationToken = default) => inner.RecordAsync(charge, cancellationToken);

        public ValueTask<int> ReleaseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.ReleaseExpiredAsync(now, cancellationToken);

        public ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) => inner.GetSpendAsync(key, since, until, cancellationToken);

        public ValueTask<BudgetAmount> GetReservedAsync(BudgetScopeKey key, DateTimeOffset now, CancellationToken cancellationToken = default) => inner.GetReservedAsync(key, now, cancellationToken);

        public ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, DateTimeOffset since, DateTimeOffset until, int count, BudgetMetric orderBy, CancellationToken cancellationToken = default) =>
            inner.GetTopSpendersAsync(scope, since, until, count, orderBy, cancellationToken);
    }
}
