using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Batteries.Budget;
using Executus.Configuration;
using Executus.Models;
using Executus.Runs;
using Executus.Schedules;

namespace Executus.Schedules.Tests;

/// <summary>The catch-up budget question of a tier-only agent names the tier's priced <c>provider:model</c>.</summary>
public sealed class CatchUpPricingTests : ScheduleTestBase
{
    private static readonly InMemoryConfigSource s_tiers = new([new("Executus:Models:Tiers:smart", "openai:gpt-4.1, anthropic:claude-sonnet-4")]);

    /// <summary>Records what the real budget was asked and answered.</summary>
    private sealed class SpyBudget(IBudget inner) : IBudget
    {
        public ConcurrentQueue<(BudgetCheck Check, BudgetDecision Decision)> Answers { get; } = new();

        public async ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default)
        {
            BudgetDecision decision = await inner.CheckAsync(check, cancellationToken);
            Answers.Enqueue((check, decision));
            return decision;
        }

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => inner.SettleAsync(charge, cancellationToken);

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => inner.ReleaseAsync(reservation, cancellationToken);
    }

    private LedgerBudget Ledger(decimal maxCost)
    {
        var options = new BudgetOptions { Estimate = BudgetEstimateMode.Fixed, FixedEstimateTokens = 1000 };
        options.Prices.Set("openai:gpt-4.1", new ModelPrice(2m, 8m));
        options.Limits.Add(new BudgetLimit(BudgetScope.Global, null, null, maxCost));
        return new LedgerBudget(new InMemoryBudgetStore(), options, Time);
    }

    private static Schedule TieredHourly() =>
        new("tiered-hourly", "0 * * * *", ScheduleTarget.ForAgent("tiered", "report")) { Misfire = MisfirePolicy.FireOnce };

    [Fact]
    public async Task Catch_up_of_a_tier_only_agent_is_priced_as_its_first_candidate_and_allowed_under_a_money_limit()
    {
        var budget = new SpyBudget(Ledger(maxCost: 5m));
        var audit = new RecordingAudit();
        Ports = new RunPorts { Budget = budget, Audit = audit };
        await using ScheduleRunner runner = NewRunner(tiers: new ModelTierResolver(new ModelProviderRegistry(), s_tiers));
        await runner.SaveAsync(TieredHourly());
        Time.Advance(TimeSpan.FromHours(12.5));

        await ProcessAndDrainAsync(runner);

        (BudgetCheck check, BudgetDecision decision) = Assert.Single(budget.Answers, a => a.Check.Purpose == "schedule:catch-up");
        Assert.Equal("openai:gpt-4.1", check.Model);
        Assert.True(decision.Allowed, decision.Reason);
        Assert.DoesNotContain(audit.Events, e => e.Kind == AuditEventKind.BudgetRefused && e.Data.ContainsKey(ScheduleRunner.ScheduleIdMetadataKey));
    }

    [Fact]
    public async Task Catch_up_of_a_tier_only_agent_over_the_money_limit_is_refused_naming_the_priced_model()
    {
        var budget = new SpyBudget(Ledger(maxCost: 0.0001m));
        var audit = new RecordingAudit();
        Ports = new RunPorts { Budget = budget, Audit = audit };
        await using ScheduleRunner runner = NewRunner(tiers: new ModelTierResolver(new ModelProviderRegistry(), s_tiers));
        await runner.SaveAsync(TieredHourly());
        Time.Advance(TimeSpan.FromHours(12.5));

        await ProcessAndDrainAsync(runner);

        Assert.Equal(0, Model.Calls);
        (BudgetCheck check, BudgetDecision decision) = Assert.Single(budget.Answers, a => a.Check.Purpose == "schedule:catch-up");
        Assert.Equal("openai:gpt-4.1", check.Model);
        Assert.False(decision.Allowed);
        AuditEvent refused = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.BudgetRefused);
        Assert.Equal("openai:gpt-4.1", refused.Model);
        Assert.DoesNotContain("could not answer", refused.Detail, StringComparison.Ordinal);
    }
}
