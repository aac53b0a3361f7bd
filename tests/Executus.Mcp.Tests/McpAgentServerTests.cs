using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Executus.Batteries.Budget;
using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Executus.Mcp.Tests;

/// <summary>Executus agents served over MCP, called by the official C# client and by the MCP inspector CLI.</summary>
[Collection(McpServersGroup.Name)]
public sealed class McpAgentServerTests(McpServersFixture servers)
{
    [Fact]
    public async Task The_official_CSharp_client_runs_an_agent_over_HTTP_as_the_API_key_caller()
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        host.Model.ReplyToolCall("whoami").ReplyText("You are reader.");
        await using McpClient client = await ConnectAsync(host.Endpoint, AgentServerHost.ReaderKey);

        IList<McpClientTool> tools = await client.ListToolsAsync();
        McpClientTool helper = Assert.Single(tools);
        Assert.Equal("helper", helper.Name);
        Assert.Equal("Answers questions.", helper.Description);

        CallToolResult result = await client.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "who am I?" });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("You are reader.", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.StartsWith("run_", result.Meta![McpAgentServer.RunIdMetaKey]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Completed", result.Meta[McpAgentServer.OutcomeMetaKey]!.GetValue<string>());
        Assert.Equal(["reader"], host.Callers);
    }

    [Fact]
    public async Task Permissions_follow_the_key_a_tool_needing_a_scope_is_denied_to_a_caller_without_it()
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        host.Model.ReplyToolCall("admin_report").ReplyText("tried");
        await using McpClient reader = await ConnectAsync(host.Endpoint, AgentServerHost.ReaderKey);
        await reader.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "report" });
        Assert.Contains("'admin'", ToolResultText(host.Model.Requests[1]), StringComparison.Ordinal);

        host.Model.ReplyToolCall("admin_report").ReplyText("done");
        await using McpClient boss = await ConnectAsync(host.Endpoint, AgentServerHost.AdminKey);
        await boss.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "report" });
        Assert.Equal("secret", ToolResultText(host.Model.Requests[3]));
    }

    [Fact]
    public async Task A_callers_budget_holds_over_MCP_the_caller_over_its_cap_is_refused_before_the_model_and_others_still_run()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Scopes", "caller:reader");
        config.Set("Executus:Budget:Limits:caller:reader:Tokens", "5000");
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");
        await using AgentServerHost host = await AgentServerHost.StartAsync(b => b.UseConfigSource(config).AddBudget());
        UsageDetails usage = new() { InputTokenCount = 2000, OutputTokenCount = 1000 };
        host.Model.ReplyText("first", usage).ReplyText("for the boss", usage);
        await using McpClient reader = await ConnectAsync(host.Endpoint, AgentServerHost.ReaderKey);
        await using McpClient boss = await ConnectAsync(host.Endpoint, AgentServerHost.AdminKey);

        CallToolResult first = await reader.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "hi" });
        Assert.NotEqual(true, first.IsError);
        Assert.Equal("Completed", first.Meta![McpAgentServer.OutcomeMetaKey]!.GetValue<string>());

        // 3000 tokens spent; the next call reserves its input plus 4096 output tokens, past reader's 5000.
        CallToolResult refused = await reader.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "again" });
        Assert.True(refused.IsError);
        Assert.Equal("BudgetExceeded", refused.Meta![McpAgentServer.OutcomeMetaKey]!.GetValue<string>());
        string text = Assert.IsType<TextContentBlock>(Assert.Single(refused.Content)).Text;
        Assert.Contains("caller:reader", text, StringComparison.Ordinal);
        Assert.Single(host.Model.Requests);

        CallToolResult other = await boss.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = "hi" });
        Assert.Equal("for the boss", Assert.IsType<TextContentBlock>(Assert.Single(other.Content)).Text);
        BudgetRemaining left = await host.App.Services.GetRequiredService<BudgetQueries>().GetRemainingAsync(BudgetScopeKey.Caller("reader"));
        Assert.Equal(3000, left.Spent.Tokens);
    }

    [Fact]
    public async Task A_request_without_a_known_key_gets_401()
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        using HttpClient http = new();
        using HttpResponseMessage none = await http.PostAsync(host.Endpoint, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("API key", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        McpServerException refused = await Assert.ThrowsAnyAsync<McpServerException>(async () =>
        {
            try
            {
                await using McpClient client = await ConnectAsync(host.Endpoint, "wrong-key");
            }
            catch (Exception ex) when (ex is not McpServerException)
            {
                throw new McpServerException("test", host.Endpoint.ToString(), ex.Message, ex);
            }
        });
        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_a_stream_with_stdio_framing_the_configured_stdio_caller_runs_the_agent()
    {
        ScriptedChatClient model = new();
        model.ReplyToolCall("whoami").ReplyText("done over stdio framing");
        List<string> callers = [];
        ServiceCollection services = new();
        services.AddExecutus()
            .UseChatClient(model)
            .AddTool(AIFunctionFactory.Create(() => { callers.Add(RunContext.Current!.Caller.Id); return "ok"; }, "whoami"))
            .AddAgent(new RunnableAgent("helper") { Tools = ["whoami"] })
            .AddMcpAgentServer(o => o.StdioCaller = new CallerIdentity("local-user"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        McpAgentServer server = provider.GetRequiredService<McpAgentServer>();

        Pipe toServer = new();
        Pipe toClient = new();
        using CancellationTokenSource stop = new();
        Task serving = server.RunAsync(toServer.Reader.AsStream(), toClient.Writer.AsStream(), stop.Token);
        await using (McpClient client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream())))
        {
            CallToolResult result = await client.CallToolAsync("helper", new Dictionary<string, object?> { ["input"] = new string('x', 90_000) });
            Assert.NotEqual(true, result.IsError);
            Assert.Equal("done over stdio framing", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);

            CallToolResult missing = await client.CallToolAsync("helper", new Dictionary<string, object?>());
            Assert.True(missing.IsError);
            Assert.Contains("'input'", Assert.IsType<TextContentBlock>(Assert.Single(missing.Content)).Text, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(["local-user"], callers);
        Assert.Equal(90_000, model.Requests[0].LastUserText.Length);
    }

    [Fact]
    public async Task The_MCP_inspector_CLI_lists_and_calls_our_agent_over_HTTP()
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        host.Model.ReplyToolCall("whoami").ReplyText("Hello, inspector.");

        string list = await InspectorAsync(host.Endpoint, "--method", "tools/list");
        using (JsonDocument tools = JsonDocument.Parse(list))
        {
            JsonElement tool = Assert.Single(tools.RootElement.GetProperty("tools").EnumerateArray());
            Assert.Equal("helper", tool.GetProperty("name").GetString());
            Assert.Equal("input", tool.GetProperty("inputSchema").GetProperty("required")[0].GetString());
        }

        string call = await InspectorAsync(host.Endpoint, "--method", "tools/call", "--tool-name", "helper", "--tool-arg", "input=hello");
        using JsonDocument result = JsonDocument.Parse(call);
        Assert.Equal("Hello, inspector.", result.RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(result.RootElement.GetProperty("_meta").TryGetProperty(McpAgentServer.RunIdMetaKey, out _));
        Assert.Equal(["reader"], host.Callers);
    }

    private async Task<string> InspectorAsync(Uri endpoint, params string[] args)
    {
        ProcessStartInfo start = new("node")
        {
            // Why this folder: inspector-cli 1.0.3 reads its own package.json with a path relative to the working directory.
            WorkingDirectory = Path.GetDirectoryName(servers.InspectorCli)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])[servers.InspectorCli, "--cli", endpoint.ToString(), "--transport", "http", "--header", $"X-Api-Key: {AgentServerHost.ReaderKey}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, $"inspector-cli exited with {process.ExitCode}: {await stderr}\n{stdout}");
        return stdout;
    }

    private static async Task<McpClient> ConnectAsync(Uri endpoint, string key)
    {
        HttpClientTransport transport = new(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        return await McpClient.CreateAsync(transport);
    }

    private static string ToolResultText(ScriptedRequest request) =>
        request.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Last().Result?.ToString() ?? string.Empty;
}
