using System.Collections.Concurrent;
using System.Net;
using Executus.Auditing;
using Executus.Batteries.Budget;
using Executus.Configuration;
using Executus.Identity;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Batteries.Budget.Tests;

/// <summary>The Budget battery through real runs of the kernel on a scripted model.</summary>
public class BudgetRunTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallerIdentity Alice = new CallerIdentity("alice", "Alice").WithTenant("acme");
    private static readonly ModelReference Model = new("openai", "gpt-test");

    private static UsageDetails Usage(long input, long output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };

    private static Executor Create(IChatClient model, IBudget budget, IAudit? audit = null, IRunObserver? observer = null, TimeProvider? time = null)
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int n) => n + 1, "step"));
        return new Executor(
            new FixedModelResolver(model, Model),
            tools,
            new RunPorts { Budget = budget, Audit = audit, Observers = observer is null ? [] : [observer] },
            timeProvider: time);
    }

    private static RunnableAgent Agent(int maxIterations = 10) => new("looper") { Tools = ["step"], MaxIterations = maxIterations };

    private static BudgetOptions Options(params BudgetLimit[] limits)
    {
        var options = new BudgetOptions { Estimate = BudgetEstimateMode.Fixed, FixedEstimateTokens = 300, SoftLimitPercent = 0 };
        options.Prices.Set(Model.ToString(), new ModelPrice(1_000m, 2_000m));
        foreach (BudgetLimit limit in limits)
        {
            options.Limits.Add(limit);
        }

        return options;
    }

    [Fact]
    public async Task Soft_then_hard_limit_in_one_run_warns_once_then_refuses_before_spending()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Caller, null, 1000, null));
        options.SoftLimitPercent = 50;
        options.ShowRemainingToModel = true;
        var audit = new RecordingAudit();
        var observer = new RecordingObserver();
        using var model = new ScriptedChatClient().WhenExhausted(_ => ToolCall(Usage(200, 100)));

        RunResult result = await Create(model, new LedgerBudget(store, options, time), audit, observer, time).RunAsync(new RunRequest(Agent(), "go") { Caller = Alice });

        // 1st call: 0 + 300 reserved; 2nd: 300 + 300 ≥ 500 → warning; 3rd: 600 + 300 ≤ 1000; 4th: 900 + 300 > 1000 → refused.
        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(3, model.Requests.Count);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(900, (await store.GetSpendAsync(BudgetScopeKey.Caller("alice"), T0, T0)).Tokens);

        BudgetWarningEvent warning = Assert.Single(observer.Events.OfType<BudgetWarningEvent>());
        Assert.Equal(2, warning.Iteration);
        Assert.Contains("caller:alice", warning.Warning, StringComparison.Ordinal);
        AuditEvent audited = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.BudgetWarning);
        Assert.Equal(warning.Warning, audited.Detail);

        // The remaining budget is shown to the model once, as one system line on the warned call.
        Assert.Contains(model.Requests[1].Messages, m => m.Role == ChatRole.System && m.Text.Contains("400 tokens", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Requests[2].Messages, m => m.Role == ChatRole.System && m.Text.StartsWith("Budget notice", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Messages, m => m.Text.StartsWith("Budget notice", StringComparison.Ordinal));

        BudgetLimitExceeded exceeded = result.BudgetExceeded!;
        Assert.Equal("caller:alice", exceeded.Scope);
        Assert.Equal("tokens", exceeded.Metric);
        Assert.Equal(1000, exceeded.Limit);
        Assert.Equal(900, exceeded.Spent);
        Assert.Equal(TimeSpan.FromDays(7) + TimeSpan.FromTicks(1), exceeded.RetryAfter);
        Assert.Equal(exceeded.Message, result.StopReason);
        AuditEvent refused = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.BudgetRefused);
        Assert.Equal("caller:alice", refused.Data["scope"]);
        Assert.Equal("1000", refused.Data["limit"]);
        Assert.Equal("900", refused.Data["spent"]);
        Assert.Equal(0, store.LiveReservationCount);
    }

    [Fact]
    public async Task A_run_refused_before_any_spend_keeps_its_transcript()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryBudgetStore();
        await store.RecordAsync(new BudgetLedgerEntry("earlier", T0.AddDays(-1), [BudgetScopeKey.Tenant("acme")], new BudgetAmount(10, 5m)));
        using var model = new ScriptedChatClient().ReplyText("never sent");
        var input = new List<ChatMessage> { new(ChatRole.System, "You are terse."), new(ChatRole.User, "summarise the report") };

        RunResult result = await Create(model, new LedgerBudget(store, Options(new BudgetLimit(BudgetScope.Tenant, "acme", null, 5m)), time), time: time)
            .RunAsync(new RunRequest(Agent(), input) { Caller = Alice });

        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Empty(model.Requests);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(["You are terse.", "summarise the report"], result.Messages.Select(m => m.Text));
        Assert.Equal("tenant:acme", result.BudgetExceeded!.Scope);
        Assert.Equal(5m, result.BudgetExceeded.Spent);
        Assert.Equal(TimeSpan.FromDays(6) + TimeSpan.FromTicks(1), result.BudgetExceeded.RetryAfter);
        Assert.Equal(BudgetAmount.Zero, await store.GetReservedAsync(BudgetScopeKey.Tenant("acme"), T0));
    }

    [Fact]
    public async Task Sixty_four_concurrent_runs_against_one_cap_overspend_by_at_most_one_call()
    {
        const decimal cap = 1.00m;
        var store = new InMemoryBudgetStore();
        BudgetOptions options = Options(new BudgetLimit(BudgetScope.Global, null, null, cap));
        options.FixedEstimateTokens = 100; // 100 tokens at the output price: 0.20 ≥ a call's 0.14
        var budget = new LedgerBudget(store, options);
        decimal callCost = new ModelPrice(1_000m, 2_000m).Cost(60, 40); // 0.06 + 0.08
        using var model = new ScriptedChatClient().WhenExhausted(_ => ToolCall(Usage(60, 40)));
        Executor executor = Create(model, budget);

        RunResult[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            executor.RunAsync(new RunRequest(Agent(maxIterations: 50), "go") { Caller = new CallerIdentity($"user{i}").WithTenant("t" + (i % 4)) }))));

        decimal spent = (await store.GetSpendAsync(BudgetScopeKey.Global, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Cost;
        Assert.True(spent <= cap + callCost, $"spent {spent} against a cap of {cap} (one call costs {callCost})");
        Assert.True(spent > cap - (2 * callCost) - 0.20m, $"spent only {spent}: the cap was not used");
        Assert.All(results, r => Assert.Equal(RunOutcome.BudgetExceeded, r.Outcome));
        Assert.Equal(model.Requests.Count * callCost, spent);
        Assert.Equal(0, store.LiveReservationCount);
    }

    [Fact]
    public async Task A_throwing_model_releases_its_reservation_at_once()
    {
        var store = new InMemoryBudgetStore();
        using var model = new ScriptedChatClient().ReplyToolCall("step", new { n = 1 }, usage: Usage(10, 10)).ThrowHttp(HttpStatusCode.Unauthorized);

        RunResult result = await Create(model, new LedgerBudget(store, Options(new BudgetLimit(BudgetScope.Global, null, 10_000, null))))
            .RunAsync(new RunRequest(Agent(), "go") { Caller = Alice });

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal(0, store.LiveReservationCount);
        Assert.Equal(20, (await store.GetSpendAsync(BudgetScopeKey.Global, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Tokens);
    }

    [Fact]
    public async Task An_unpriced_model_fails_the_run_with_a_config_error_naming_the_key()
    {
        using var model = new ScriptedChatClient().ReplyText("never sent");
        RunResult result = await Create(model, new LedgerBudget(new InMemoryBudgetStore(), new BudgetOptions()))
            .RunAsync(new RunRequest(Agent(), "go"));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        ConfigException error = Assert.IsType<ConfigException>(result.Error);
        Assert.Equal("Executus:Budget:Prices:openai:gpt-test:Input", error.Key);
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task AddBudget_reads_limits_and_prices_from_config_and_exposes_the_operator_queries()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Scopes", "caller");
        config.Set("Executus:Budget:Limits:caller:Tokens", "250");
        config.Set("Executus:Budget:Estimate", "Fixed");
        config.Set("Executus:Budget:FixedEstimateTokens", "100");
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");
        using var model = new ScriptedChatClient().WhenExhausted(_ => ToolCall(Usage(50, 50)));
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).UseChatClient(model).AddTool(AIFunctionFactory.Create((int n) => n + 1, "step")).AddBudget();
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<LedgerBudget>(provider.GetRequiredService<IBudget>());
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent(), "go") { Caller = Alice });

        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(2, model.Requests.Count);
        BudgetQueries queries = provider.GetRequiredService<BudgetQueries>();
        Assert.Equal(200, (await queries.GetSpendAsync(BudgetScopeKey.Caller("alice"))).Tokens);
        Assert.Equal(50, (await queries.GetRemainingAsync(BudgetScopeKey.Caller("alice"))).RemainingTokens);
        Assert.Equal("alice", Assert.Single(await queries.GetTopSpendersAsync(BudgetScope.Caller)).Key.Key);

        // Configuration is read at every check: raising the limit lets the next run through.
        config.Set("Executus:Budget:Limits:caller:Tokens", "10000");
        RunResult next = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent(maxIterations: 1), "go") { Caller = Alice });
        Assert.Equal(RunOutcome.MaxIterations, next.Outcome);

        config.Set("Executus:Budget:Limits:caller:Tokens", "-5");
        RunResult bad = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent(), "go") { Caller = Alice });
        Assert.Equal(RunOutcome.Failed, bad.Outcome);
        Assert.Equal("Executus:Budget:Limits:caller:Tokens", Assert.IsType<ConfigException>(bad.Error).Key);
    }

    private static ChatResponse ToolCall(UsageDetails usage) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(Guid.NewGuid().ToString("N"), "step", new Dictionary<string, object?> { ["n"] = 1 })])) { Usage = usage };

    private sealed class RecordingAudit : IAudit
    {
        private readonly ConcurrentQueue<AuditEvent> _events = new();

        public IReadOnlyList<AuditEvent> Events => [.. _events];

        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(auditEvent);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingObserver : IRunObserver
    {
        private readonly ConcurrentQueue<RunEvent> _events = new();

        public IReadOnlyList<RunEvent> Events => [.. _events];

        public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(runEvent);
            return ValueTask.CompletedTask;
        }
    }
}
