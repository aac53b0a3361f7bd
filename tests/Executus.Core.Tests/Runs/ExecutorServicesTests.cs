using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Executus.Configuration;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Runs;

public class ExecutorServicesTests
{
    [Fact]
    public async Task AddExecutus_registers_a_runnable_executor_with_ports_from_the_container()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 20, b = 22 }).ReplyText("42");
        var budget = new RecordingBudget();
        var observer = new RecordingObserver();
        var delivery = new RecordingDelivery();
        var services = new ServiceCollection();
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([new("Executus:Runs:DefaultTimeout", "2m")]))
            .UseChatClient(model)
            .UseBudget(budget)
            .UseDelivery(delivery)
            .AddRunObserver(observer)
            .AddTool(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Executor executor = provider.GetRequiredService<Executor>();
        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("calc") { Tools = ["add"] }, "20+22?"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("42", result.Text);
        Assert.Equal(TimeSpan.FromMinutes(2), executor.Options.DefaultTimeout);
        Assert.Equal(2, budget.Checks.Count);
        Assert.Equal("42", Assert.Single(delivery.Deliveries).Text);
        Assert.NotEmpty(observer.Events);
    }

    [Fact]
    public async Task Without_a_model_or_tier_configured_the_run_fails_naming_the_tier()
    {
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(new InMemoryConfigSource());
        using ServiceProvider provider = services.BuildServiceProvider();

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(new RunnableAgent("a") { Tier = "smart" }, "hi"));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("smart", result.StopReason, StringComparison.Ordinal);
        Assert.Single(result.Messages);
    }

    [Fact]
    public void A_malformed_runs_setting_is_a_config_error_naming_the_key()
    {
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(new InMemoryConfigSource([new("Executus:Runs:DefaultTimeout", "soon")]));
        using ServiceProvider provider = services.BuildServiceProvider();
        ConfigException ex = Assert.Throws<ConfigException>(() => provider.GetRequiredService<Executor>());
        Assert.Equal("Executus:Runs:DefaultTimeout", ex.Key);
    }

    [Fact]
    public async Task Emits_invoke_agent_and_execute_tool_spans_and_run_metrics()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RunsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var outcomes = new ConcurrentQueue<(string Instrument, object? Outcome)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RunsTelemetry.SourceName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => outcomes.Enqueue((instrument.Name, Tag(tags, "executus.run.outcome"))));
        meters.Start();

        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("3");
        var registry = new Executus.Tooling.ToolRegistry();
        registry.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        RunResult result = await new Executor(new FixedModelResolver(model), registry).RunAsync(new RunRequest(new RunnableAgent("otel-agent") { Tools = ["add"] }, "1+2"));

        Activity run = Assert.Single(activities, a => a.DisplayName == "invoke_agent otel-agent" && (string?)a.GetTagItem("gen_ai.conversation.id") == result.RunId);
        Assert.Equal("invoke_agent", run.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("Completed", run.GetTagItem("executus.run.outcome"));
        Activity tool = Assert.Single(activities, a => a.DisplayName == "execute_tool add" && a.ParentSpanId == run.SpanId);
        Assert.Equal("execute_tool", tool.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("add", tool.GetTagItem("gen_ai.tool.name"));
        Assert.Contains(outcomes, o => o.Instrument == "executus.runs" && (string?)o.Outcome == "Completed");
    }

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
