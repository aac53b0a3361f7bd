using Executus.Dispatch;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

public class ComposeToolsTests
{
    private static readonly CallerIdentity Alice = new("alice", tenantKey: "acme");

    private static ServiceProvider Build(ScriptedChatClient model, int maxDepth = 3) => Host.Build(
        model,
        services: s => s.AddSingleton(new DispatchGuard(new DispatchLimits { MaxDepth = maxDepth })),
        builder: b => b
            .AddAgent(new RunnableAgent("researcher") { Description = "Finds facts", Tools = [GenericToolNames.RunInfo] })
            .AddAgent(Host.Agent("helper", GenericToolNames.RunAgent)));

    private static ChatResponse EchoLastToolResult(ScriptedChatClient model, ScriptedRequest request) =>
        model.CreateResponse([new TextContent(request.FunctionResults[^1].Result?.ToString())]);

    [Fact]
    public async Task A_sub_agent_runs_by_name_with_the_callers_identity_and_returns_its_outcome_and_text()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall(GenericToolNames.RunAgent, new { agent = "Researcher", input = "who am I?" })
            .ReplyToolCall(GenericToolNames.RunInfo)
            .Reply(r => EchoLastToolResult(model, r))
            .ReplyText("boss done");
        using ServiceProvider provider = Build(model);

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(Host.Agent("boss", GenericToolNames.RunAgent), "delegate") { Caller = Alice });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("boss done", result.Text);
        string toolResult = Assert.Single(Host.ToolResults(result));
        Assert.StartsWith("Agent: researcher\nOutcome: Completed\n\nRun: run_", toolResult, StringComparison.Ordinal);
        Assert.Contains("Agent: researcher\nCaller: alice, tenant acme", toolResult, StringComparison.Ordinal);
        Assert.Contains($"Parent run: {result.RunId} (agent boss)", toolResult, StringComparison.Ordinal);
        Assert.Contains("Sub-agent depth: 1", toolResult, StringComparison.Ordinal);
        Assert.Equal("who am I?", model.Requests[1].LastUserText);
    }

    [Fact]
    public async Task An_unknown_agent_is_a_tool_error_listing_the_known_agents()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Build(model);

        string text = await Host.CallAsync(provider, model, GenericToolNames.RunAgent, new { agent = "ghost", input = "boo" });

        Assert.Equal("Error: tool 'run_agent' failed: there is no agent named 'ghost'. Known agents: researcher (Finds facts), helper", text);
    }

    [Fact]
    public async Task An_empty_input_is_a_tool_error()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Build(model);

        string text = await Host.CallAsync(provider, model, GenericToolNames.RunAgent, new { agent = "researcher", input = " " });

        Assert.Equal("Error: tool 'run_agent' failed: the input for agent 'researcher' is empty; say what it should do", text);
    }

    [Fact]
    public async Task The_dispatch_guard_caps_sub_agent_depth()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall(GenericToolNames.RunAgent, new { agent = "helper", input = "level 1" })
            .ReplyToolCall(GenericToolNames.RunAgent, new { agent = "helper", input = "level 2" })
            .Reply(r => EchoLastToolResult(model, r))
            .ReplyText("boss done");
        using ServiceProvider provider = Build(model, maxDepth: 1);

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Host.Agent("boss", GenericToolNames.RunAgent), "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        string toolResult = Assert.Single(Host.ToolResults(result));
        Assert.StartsWith("Agent: helper\nOutcome: Completed\n\nAgent: helper\nOutcome: GuardTripped\nReason: ", toolResult, StringComparison.Ordinal);
        Assert.Contains("2 deep", toolResult, StringComparison.Ordinal);
        Assert.Equal(4, model.Requests.Count); // boss, helper (depth 1), helper again, boss: the depth-2 run never reached the model
    }

    [Fact]
    public async Task Outside_a_run_run_agent_is_a_readable_error()
    {
        var tools = new ComposeTools(new InMemoryAgentCatalog([new RunnableAgent("a")]));
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => tools.RunAgentAsync("a", "x"));
        Assert.Contains("only inside a run", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_agents_the_error_says_so()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);

        string text = await Host.CallAsync(provider, model, GenericToolNames.RunAgent, new { agent = "x", input = "y" });

        Assert.EndsWith("Known agents: none (the host has not added any)", text, StringComparison.Ordinal);
    }
}
