using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Critics.Tests;

/// <summary>The critic inside real runs: the kernel's clock is a <see cref="FakeTimeProvider"/> that the model moves.</summary>
public sealed class KernelTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A model that takes one (fake) minute per call and keeps calling a tool with new arguments.</summary>
    private sealed class SlowWorker(FakeTimeProvider time) : IChatClient
    {
        private int _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            int n = Interlocked.Increment(ref _calls);
            var call = new FunctionCallContent($"c{n}", "step", new Dictionary<string, object?> { ["n"] = n });
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { FinishReason = ChatFinishReason.ToolCalls });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class EventLog : IRunObserver
    {
        public ConcurrentQueue<RunEvent> Events { get; } = new();

        public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
        {
            Events.Enqueue(runEvent);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_run_past_its_hard_deadline_is_escalated_after_its_capped_extension_and_the_operator_is_told()
    {
        var delivery = new RecordingDelivery();
        var audit = new RecordingAudit();
        var events = new EventLog();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([
                new("Executus:Critic:SoftDeadline", "2m"),
                new("Executus:Critic:HardDeadline", "4m"),
                new("Executus:Critic:MaxExtensions", "1"),
                new("Executus:Critic:MaxTotalExtension", "1m"),
                new("Executus:Critic:Escalation:Destination", "ops"),
            ]))
            .UseChatClient(new SlowWorker(_time))
            .UseDelivery(delivery)
            .UseAudit(audit)
            .AddRunObserver(events)
            .AddTool(AIFunctionFactory.Create((int n) => $"step {n} done", "step"))
            .AddCritic();
        await using ServiceProvider provider = services.BuildServiceProvider();

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(new RunnableAgent("worker") { Tools = ["step"], MaxIterations = 50 }, "Work through the steps"));

        Assert.Equal(RunOutcome.Escalated, result.Outcome);
        Assert.Equal(5, result.Iterations);
        Assert.Contains("hard deadline (00:05:00)", result.StopReason, StringComparison.Ordinal);
        Delivery sent = Assert.Single(delivery.Delivered, d => d.Metadata.ContainsKey(DeliveryEscalator.EventKey));
        Assert.Equal(("ops", result.RunId), (sent.Metadata["destination"], sent.RunId));
        Assert.Contains("call step(", sent.Text, StringComparison.Ordinal);

        // Verdicts are audited and emitted as run events: one Extend (capped to 1 minute), then Escalate.
        AuditEvent[] verdicts = [.. audit.Events.Where(e => e.Kind == AuditEventKind.CriticVerdict)];
        Assert.Equal(["Extend", "Escalate"], verdicts.Select(v => v.Data["verdict"]));
        Assert.Equal("00:01:00", verdicts[0].Data["extension"]);
        CriticVerdictEvent[] emitted = [.. events.Events.OfType<CriticVerdictEvent>()];
        Assert.Equal([CriticVerdictKind.Extend, CriticVerdictKind.Escalate], emitted.Select(e => e.Verdict.Kind));
        Assert.Equal(CriticPhase.Escalated, provider.GetRequiredService<TimeoutCritic>().GetState(result.RunId)!.Phase);
    }

    [Fact]
    public async Task Llm_reviewer_calls_inside_a_run_are_charged_to_the_run_budget()
    {
        var budget = new RecordingBudget();
        var audit = new RecordingAudit();
        using var reviewerModel = new ScriptedChatClient().WhenExhausted(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, """{"decision":"stop","reason":"enough"}""")) { Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 5 } });
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:fast", "meta:cheap")]);
        var meta = new LlmMeta(new ModelTierResolver(new ModelProviderRegistry().Add("meta", (_, _) => reviewerModel), config), config);
        var critic = new TimeoutCritic(new LlmProgressReviewer(meta, audit, _time), options: new CriticOptions { SoftDeadline = TimeSpan.FromMinutes(1) }, timeProvider: _time);
        var tools = new Executus.Tooling.ToolRegistry();
        tools.Add(new Executus.Tooling.RegisteredTool(AIFunctionFactory.Create((int n) => "ok", "step")));
        var executor = new Executor(new FixedModelResolver(new SlowWorker(_time), timeProvider: _time), tools, new RunPorts { Budget = budget, Audit = audit, Critic = critic }, timeProvider: _time);

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("worker") { Tools = ["step"] }, "go"));

        Assert.Equal((RunOutcome.CriticStopped, "enough"), (result.Outcome, result.StopReason));
        BudgetCheck check = Assert.Single(budget.Checks, c => c.Purpose == LlmProgressReviewer.Purpose);
        Assert.Equal((result.RunId, "meta:cheap"), (check.RunId, check.Model));
        Assert.Contains(budget.Settled, s => s.Reservation.Check == check);
        Assert.Contains(audit.Events, e => e.Kind == AuditEventKind.ModelCall && e.RunId == result.RunId && e.Data.GetValueOrDefault("purpose") == "critic");
        Assert.True(result.Usage.InputTokenCount >= 30);
    }
}
