using System.Net;
using Executus.Net;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Mcp.Tests;

/// <summary>Executus as a client of a streamable HTTP MCP server (our own agent server on loopback), behind the SSRF guard.</summary>
public sealed class McpHttpClientTests
{
    [Fact]
    public async Task An_HTTP_MCP_server_on_an_internal_address_is_refused_by_the_SSRF_guard_unless_allow_listed()
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        await using ServiceProvider provider = Build(new ScriptedChatClient(), allow: null, host.Endpoint);
        McpServerConnection connection = provider.GetRequiredService<McpServerManager>().GetConnection("agents");
        await provider.GetRequiredService<McpServerManager>().StartAsync();

        Assert.NotEqual(McpServerState.Running, connection.State);
        McpServerException error = Assert.IsType<McpServerException>(connection.LastError);
        Assert.Contains("MCP server 'agents'", error.Message, StringComparison.Ordinal);
        Assert.Contains(host.Endpoint.ToString(), error.Message, StringComparison.Ordinal);
        Assert.True(Chain(error).Any(e => e is SsrfBlockedException), error.ToString());
        Assert.Empty(host.Callers);
    }

    [Theory]
    [InlineData("AllowPrivateNetwork")]
    [InlineData("SsrfAllowCidrs")]
    public async Task An_allow_listed_HTTP_MCP_server_is_used_through_a_real_run(string allow)
    {
        await using AgentServerHost host = await AgentServerHost.StartAsync();
        host.Model.ReplyToolCall("whoami").ReplyText("remote agent answered");
        ScriptedChatClient model = new();
        await using ServiceProvider provider = Build(model, allow, host.Endpoint);
        await provider.GetRequiredService<McpServerManager>().StartAsync();
        Assert.Equal(McpServerState.Running, provider.GetRequiredService<McpServerManager>().GetConnection("agents").State);

        model.ReplyToolCall("agents__helper", new { input = "hello" }).ReplyText("done");
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(McpClientTests.Agent("agents__helper"), "go"));
        Assert.Equal("remote agent answered", Assert.Single(McpClientTests.ToolResults(result)));
        Assert.Equal(["reader"], host.Callers);
    }

    private static ServiceProvider Build(ScriptedChatClient model, string? allow, Uri endpoint)
    {
        ServiceCollection services = new();
        IExecutusBuilder builder = services.AddExecutus().UseChatClient(model).AddMcpServers(o =>
        {
            McpServerDefinition server = new("agents") { Url = endpoint, AllowPrivateNetwork = allow == "AllowPrivateNetwork", MaxRestartAttempts = 0 };
            server.Headers["X-Api-Key"] = AgentServerHost.ReaderKey;
            // The agent server's tool is not annotated read-only; this host trusts it.
            server.Tools["helper"] = new McpToolOverride { NeedsApproval = false };
            o.Servers.Add(server);
        });
        if (allow == "SsrfAllowCidrs")
        {
            builder.ConfigureSsrf(o => o.AllowCidrs.Add(IPNetwork.Parse("127.0.0.1/32")));
        }

        return services.BuildServiceProvider();
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
