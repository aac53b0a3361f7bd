using System.Collections.Concurrent;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Executus.Mcp.Tests;

/// <summary>An ASP.NET Core app on a loopback port serving Executus agents over streamable HTTP MCP.</summary>
internal sealed class AgentServerHost : IAsyncDisposable
{
    public const string ReaderKey = "reader-key-1";
    public const string AdminKey = "admin-key-2";

    private AgentServerHost(WebApplication app, ScriptedChatClient model, ConcurrentQueue<string> callers)
    {
        App = app;
        Model = model;
        Callers = callers;
    }

    public WebApplication App { get; }

    public ScriptedChatClient Model { get; }

    /// <summary>The caller ids the <c>whoami</c> tool saw, in call order.</summary>
    public ConcurrentQueue<string> Callers { get; }

    public Uri Endpoint => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/mcp");

    public static async Task<AgentServerHost> StartAsync(Action<IExecutusBuilder>? configure = null)
    {
        ScriptedChatClient model = new();
        ConcurrentQueue<string> callers = new();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        AIFunction whoami = AIFunctionFactory.Create(() =>
        {
            string id = RunContext.Current?.Caller.Id ?? "(none)";
            callers.Enqueue(id);
            return id;
        }, "whoami", "Says who the caller is.");
        AIFunction admin = AIFunctionFactory.Create(() => "secret", "admin_report", "Admins only.");
        IExecutusBuilder executus = builder.Services.AddExecutus()
            .UseChatClient(model)
            .AddTool(whoami)
            .AddTool(admin, new ToolMetadata { RequiredScopes = ["admin"] })
            .AddAgent(new RunnableAgent("helper") { Description = "Answers questions.", Tools = ["whoami", "admin_report"], Instructions = "Help." })
            .AddAgent(new RunnableAgent("hidden") { Instructions = "Not served." })
            .AddMcpAgentServer(o =>
            {
                o.Agents.Add("helper");
                o.ApiKeys.Add(new McpApiKey(ReaderKey, new Identity.CallerIdentity("reader")));
                o.ApiKeys.Add(new McpApiKey(AdminKey, new Identity.CallerIdentity("boss", scopes: ["admin"])));
            });
        configure?.Invoke(executus);
        WebApplication app = builder.Build();
        app.MapMcpAgentServer("/mcp");
        await app.StartAsync();
        return new AgentServerHost(app, model, callers);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
