using System.Net;
using Executus.Auditing;
using Executus.Configuration;
using Executus.Core.Tests.Models;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Runs;

public class BudgetAccountingTests
{
    private static readonly UsageDetails NoTotal = new() { InputTokenCount = 7, OutputTokenCount = 3 };

    private static Executor Create(IChatClient model, RunPorts ports, TimeProvider? time = null, ModelReference? reference = null)
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        return new Executor(new FixedModelResolver(model, reference ?? new ModelReference("openai", "gpt-test")), tools, ports, timeProvider: time);
    }

    [Fact]
    public async Task A_check_carries_the_model_reference_iteration_and_estimate_and_is_settled_with_the_actual_usage()
    {
        using var model = new ScriptedChatClient("provider-reported-id").ReplyToolCall("add", new { a = 1, b = 2 }, usage: NoTotal).ReplyText("3", NoTotal);
        var budget = new RecordingBudget();
        var agent = new RunnableAgent("calc") { Tools = ["add"], ChatOptions = new ChatOptions { MaxOutputTokens = 256 }, Instructions = "Be brief." };

        RunResult result = await Create(model, new RunPorts { Budget = budget }).RunAsync(new RunRequest(agent, "1+2?") { Caller = new Executus.Identity.CallerIdentity("u1") });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["check 1 run r1", "settle r1 10", "check 2 run r2", "settle r2 10"], budget.Log);
        BudgetCheck first = budget.Checks.First();
        Assert.Equal("openai:gpt-test", first.Model);
        Assert.Equal(result.RunId, first.RunId);
        Assert.Equal("calc", first.AgentName);
        Assert.Equal("u1", first.Caller.Id);
        Assert.Equal(256, first.MaxOutputTokens);
        Assert.True(first.EstimatedInputTokens > 0);
        Assert.True(budget.Checks.Last().EstimatedInputTokens > first.EstimatedInputTokens, "the second request carries the tool turn");
        BudgetCharge charge = budget.Charges.First();
        Assert.Equal("provider-reported-id", charge.ResponseModelId);
        Assert.Equal(first, charge.Reservation.Check);
        Assert.Equal(0, budget.Open);
        Assert.Equal(20, result.Usage.TotalTokenCount); // input + output when the model reports no total
    }

    [Fact]
    public async Task A_throwing_model_releases_its_reservation_at_once()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }, usage: NoTotal).ThrowHttp(HttpStatusCode.Unauthorized);
        var budget = new RecordingBudget();

        RunResult result = await Create(model, new RunPorts { Budget = budget }).RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "go"));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal(["check 1 run r1", "settle r1 10", "check 2 run r2", "release r2"], budget.Log);
        Assert.Equal(0, budget.Open);
    }

    [Fact]
    public async Task A_cancelled_streaming_call_releases_its_reservation()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(1));
        var budget = new RecordingBudget();
        await foreach (RunEvent e in Create(model, new RunPorts { Budget = budget }, time).RunStreamingAsync(new RunRequest(new RunnableAgent("calc"), "go")))
        {
            if (e is StepStartedEvent)
            {
                break;
            }
        }

        Assert.Equal(["check 1 run r1", "release r1"], budget.Log);
    }

    [Fact]
    public async Task A_refusal_is_audited_and_a_warning_too()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }, usage: NoTotal).ReplyText("never");
        var budget = new RecordingBudget(denyAtIteration: 2, warnAtIteration: "1");
        var audit = new RecordingAudit();

        RunResult result = await Create(model, new RunPorts { Budget = budget, Audit = audit }).RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "go"));

        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(1, result.Iterations);
        AuditEvent warning = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.BudgetWarning);
        Assert.Equal("80% of the weekly budget spent", warning.Detail);
        AuditEvent refusal = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.BudgetRefused);
        Assert.Equal("weekly budget of $5.00 spent", refusal.Detail);
        Assert.Equal("openai:gpt-test", refusal.Model);
    }

    [Fact]
    public async Task Every_call_made_on_behalf_of_a_run_goes_through_one_channel_exactly_once()
    {
        // The run's own model and the critic's meta calls come from tiers; the critic summarizes through LlmMeta.
        using var main = new ScriptedChatClient("main-model").ReplyToolCall("add", new { a = 1, b = 2 }, usage: NoTotal).ReplyText("3", NoTotal);
        using var meta = new ScriptedChatClient("meta-model").ReplyText("summary 1", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 5 })
            .ReplyText("summary 2", new UsageDetails { InputTokenCount = 100, OutputTokenCount = 5, TotalTokenCount = 105 });
        var config = new InMemoryConfigSource();
        config.Set("Executus:Models:Tiers:default", "s:main");
        config.Set("Executus:Models:Tiers:fast", "s:meta");
        var sink = new CollectingUsageSink();
        var registry = new ModelProviderRegistry().Add("s", (id, _) => id == "main" ? main : meta);
        using var tiers = new ModelTierResolver(registry, config, new ModelTierResolverOptions { UsageSink = sink });
        var llmMeta = new LlmMeta(tiers, config);
        var budget = new RecordingBudget();
        var critic = new MetaCritic(llmMeta);
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        var executor = new Executor(new TierAgentModelResolver(tiers), tools, new RunPorts { Budget = budget, Critic = critic });

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "1+2?"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(
            ["check 0 llm-meta:summarize r1", "settle r1 105", "check 1 run r2", "settle r2 10", "check 1 llm-meta:summarize r3", "settle r3 105", "check 2 run r4", "settle r4 10"],
            budget.Log);
        Assert.Equal(["s:meta", "s:main", "s:meta", "s:main"], budget.Checks.Select(c => c.Model));
        Assert.Equal(4, sink.Records.Count);
        Assert.All(sink.Records, r => Assert.Equal(result.RunId, r.RunId));
        Assert.All(budget.Checks, c => Assert.Equal(result.RunId, c.RunId));
        Assert.Equal(2 * 105 + 2 * 10, result.Usage.TotalTokenCount);
        Assert.Equal(0, budget.Open);
    }

    private sealed class MetaCritic(LlmMeta meta) : ICritic
    {
        public async ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default)
        {
            await meta.SummarizeAsync(review.Messages, cancellationToken: cancellationToken);
            return CriticVerdict.Continue;
        }
    }
}
