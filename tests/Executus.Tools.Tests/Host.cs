using System.Net;
using Executus.Net;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

/// <summary>Builds a container with Executus, a scripted model, a fake resolver and the generic tools.</summary>
internal static class Host
{
    public static FakeResolver Resolver() => new(new Dictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["public.example"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:2800:220:1::1")],
        ["intranet.example"] = [IPAddress.Parse("10.0.0.5")],
        ["mixed.example"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.1.1")],
        ["wiki.corp.example"] = [IPAddress.Parse("10.1.2.3")],
    });

    public static ServiceProvider Build(
        IChatClient? model = null,
        Action<IServiceCollection>? services = null,
        Action<IExecutusBuilder>? builder = null,
        Action<GenericToolsOptions>? tools = null,
        bool allowLoopback = true)
    {
        ServiceCollection collection = new();
        services?.Invoke(collection);
        IExecutusBuilder executus = collection.AddExecutus().UseHostResolver(Resolver());
        if (allowLoopback)
        {
            executus.ConfigureSsrf(o => o.AllowCidrs.Add(IPNetwork.Parse("127.0.0.1/32")));
        }

        if (model is not null)
        {
            executus.UseChatClient(model);
        }

        builder?.Invoke(executus);
        executus.AddGenericTools(tools);
        return collection.BuildServiceProvider();
    }

    public static RunnableAgent Agent(string name, params string[] tools) => new(name) { Tools = tools, Instructions = "Test agent." };

    /// <summary>The text of every tool result in the run, in order.</summary>
    public static List<string> ToolResults(RunResult result) =>
        [.. result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? string.Empty)];

    /// <summary>Runs one tool call through a real executor and returns the tool result's text.</summary>
    public static async Task<string> CallAsync(ServiceProvider provider, ScriptedChatClient model, string tool, object? arguments, Identity.CallerIdentity? caller = null, string agent = "tester")
    {
        model.ReplyToolCall(tool, arguments).ReplyText("done");
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent(agent, tool), "go") { Caller = caller });
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        return Assert.Single(ToolResults(result));
    }
}
