using System.Globalization;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Tools.Tests;

public class MetaToolsTests
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.Parse("2026-07-01T12:00:00Z", CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(null, "2026-07-01T12:00:00+00:00 (UTC, Wednesday)")]
    [InlineData("Europe/Berlin", "2026-07-01T14:00:00+02:00 (Europe/Berlin, Wednesday)")]
    [InlineData("America/New_York", "2026-07-01T08:00:00-04:00 (America/New_York, Wednesday)")]
    [InlineData("Pacific/Auckland", "2026-07-02T00:00:00+12:00 (Pacific/Auckland, Thursday)")]
    public void Current_time_is_read_from_the_time_provider_in_the_given_zone(string? zone, string expected)
    {
        Assert.Equal(expected, new MetaTools(Time).GetCurrentTime(zone));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("not a zone")]
    public void An_unknown_time_zone_is_a_readable_error(string zone)
    {
        var ex = Assert.Throws<GenericToolException>(() => new MetaTools(Time).GetCurrentTime(zone));
        Assert.Equal($"unknown time zone '{zone}'; use an IANA id such as 'Europe/Berlin', 'America/New_York' or 'UTC'", ex.Message);
    }

    [Fact]
    public async Task Through_a_run_a_bad_zone_is_a_tool_error()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model, services: s => s.AddSingleton<TimeProvider>(Time));

        string ok = await Host.CallAsync(provider, model, GenericToolNames.CurrentTime, new { timeZone = "Asia/Tokyo" });
        string bad = await Host.CallAsync(provider, model, GenericToolNames.CurrentTime, new { timeZone = "Nowhere/City" });

        Assert.Equal("2026-07-01T21:00:00+09:00 (Asia/Tokyo, Wednesday)", ok);
        Assert.StartsWith("Error: tool 'current_time' failed: unknown time zone 'Nowhere/City'", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_info_reports_run_agent_caller_and_iteration()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);
        var caller = new CallerIdentity("u42", "Ursula", "team-a");

        model.ReplyToolCall(GenericToolNames.RunInfo).ReplyToolCall(GenericToolNames.RunInfo).ReplyText("done");
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(Host.Agent("inspector", GenericToolNames.RunInfo), "who") { Caller = caller });

        List<string> results = Host.ToolResults(result);
        Assert.Equal($"Run: {result.RunId}\nAgent: inspector\nCaller: u42 (Ursula), tenant team-a\nIteration: 1\nSub-agent depth: 0", results[0]);
        Assert.Contains("Iteration: 2", results[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_info_and_list_tools_report_the_current_phase()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);
        model.ReplyToolCall(GenericToolNames.RunInfo)
            .ReplyToolCall(GenericToolNames.ListTools)
            .ReplyToolCall(AgentPhase.FinishPhaseToolName)
            .ReplyToolCall(GenericToolNames.RunInfo)
            .ReplyText("done");
        RunnableAgent agent = Host.Agent("phased", GenericToolNames.RunInfo, GenericToolNames.ListTools, GenericToolNames.CurrentTime) with
        {
            Phases =
            [
                new AgentPhase("gather") { Tools = [GenericToolNames.RunInfo, GenericToolNames.ListTools] },
                new AgentPhase("report") { Tools = [GenericToolNames.RunInfo], CompletesWhen = PhaseCompletion.Answer },
            ],
        };

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        List<string> results = Host.ToolResults(result);
        Assert.Contains("\nPhase: gather (1 of 2)\n", results[0], StringComparison.Ordinal);
        Assert.StartsWith("2 tool(s) available:", results[1], StringComparison.Ordinal);
        Assert.DoesNotContain(GenericToolNames.CurrentTime, results[1], StringComparison.Ordinal);
        Assert.Contains("\nPhase: report (2 of 2)\n", results[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_tools_shows_the_agents_tools_the_caller_may_use()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(
            model,
            tools: o => o.ConfigureMetadata = (name, metadata) => name == GenericToolNames.SendMessage ? metadata with { RequiredRoles = ["ops"] } : metadata);
        model.ReplyToolCall(GenericToolNames.ListTools).ReplyText("done");
        RunnableAgent agent = Host.Agent(
            "lister", GenericToolNames.ListTools, GenericToolNames.MemoryGet, GenericToolNames.WebFetch, GenericToolNames.SendMessage, "not_registered");

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "what can you do?") { Caller = new CallerIdentity("viewer") });

        string text = Assert.Single(Host.ToolResults(result));
        string[] lines = text.Split('\n');
        Assert.Equal("3 tool(s) available:", lines[0]);
        Assert.StartsWith("- list_tools [meta, read]: ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("- memory_get [store, read]: Reads a value", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("- web_fetch [web, external]: Fetches", lines[3], StringComparison.Ordinal);
        Assert.DoesNotContain("send_message", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not_registered", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_a_run_list_tools_and_run_info_are_readable_errors()
    {
        var tools = new MetaTools(Time);
        var list = await Assert.ThrowsAsync<GenericToolException>(async () => await tools.ListTools.Function.InvokeAsync(new AIFunctionArguments()));
        var info = await Assert.ThrowsAsync<GenericToolException>(async () => await tools.RunInfo.Function.InvokeAsync(new AIFunctionArguments()));
        Assert.Equal("list_tools works only inside a run", list.Message);
        Assert.Equal("run_info works only inside a run", info.Message);
    }

    [Fact]
    public async Task Run_info_uses_the_toolbox_context_when_invoked_outside_the_executor()
    {
        var tools = new MetaTools(Time);
        var context = new ToolInvocationContext { Caller = new CallerIdentity("svc"), AgentName = "direct", RunId = "run_x", Iteration = 4 };
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [typeof(ToolInvocationContext)] = context } };

        object? result = await tools.RunInfo.Function.InvokeAsync(arguments);

        Assert.Equal("Run: run_x\nAgent: direct\nCaller: svc\nIteration: 4\nSub-agent depth: 0", result?.ToString());
    }
}
