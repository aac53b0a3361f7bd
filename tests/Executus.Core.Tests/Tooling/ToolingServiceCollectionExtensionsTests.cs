using Executus.Configuration;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Tooling;

public sealed class ToolingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddExecutus_registers_tooling_defaults_and_added_tools()
    {
        ServiceCollection services = new();
        services.AddSingleton<IConfigSource>(new InMemoryConfigSource([new("Executus:Net:Ssrf:AllowHosts", "wiki.corp")]));
        services.AddExecutus()
            .AddTool(AIFunctionFactory.Create((string text) => text, "echo"), new ToolMetadata { Category = "util" })
            .AddTool(AIFunctionFactory.Create(() => 1, "one"));
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IToolRegistry registry = provider.GetRequiredService<IToolRegistry>();
        Assert.Equal(["echo", "one"], registry.Tools.Select(t => t.Name));
        Assert.IsType<AllowAllPaletteSource>(provider.GetRequiredService<IPaletteSource>());
        Assert.IsType<DnsHostResolver>(provider.GetRequiredService<IHostResolver>());
        ISafeHttpClientFactory http = provider.GetRequiredService<ISafeHttpClientFactory>();
        Assert.Same(http.Guard, provider.GetRequiredService<SsrfGuard>());
        Assert.True(http.Guard.IsHostAllowListed("wiki.corp"));
        using HttpClient client = http.CreateClient();
        Assert.NotNull(client);

        Toolbox toolbox = await provider.GetRequiredService<ToolboxFactory>().CreateAsync(new ToolboxRequest("a", ["echo"]));
        Assert.Equal("echo", Assert.Single(toolbox.Tools).Name);
    }

    [Fact]
    public void AddTool_rejects_a_duplicate_name_immediately()
    {
        IExecutusBuilder builder = new ServiceCollection().AddExecutus().AddTool(AIFunctionFactory.Create(() => 1, "dup"));

        DuplicateToolException ex = Assert.Throws<DuplicateToolException>(() => builder.AddTool(AIFunctionFactory.Create(() => 2, "dup")));

        Assert.Equal("dup", ex.ToolName);
    }

    [Fact]
    public async Task Host_swaps_replace_the_defaults()
    {
        DenyPaletteSource palette = new("echo", "no");
        ScriptedApprover approver = new(approve: true);
        ServiceCollection services = new();
        services.AddExecutus()
            .AddTool(AIFunctionFactory.Create((string text) => text, "echo"))
            .AddTool(AIFunctionFactory.Create(() => "done", "risky"), new ToolMetadata { NeedsApproval = true })
            .UsePaletteSource(palette)
            .UseToolApprovalHandler(approver)
            .AddToolArgumentValidator(new MaxSizeValidator(1))
            .ConfigureSsrf(o => o.AllowHosts.Add("svc.corp"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Toolbox toolbox = await provider.GetRequiredService<ToolboxFactory>().CreateAsync(new ToolboxRequest("a", ["echo", "risky"]));
        FunctionResultContent result = await toolbox.InvokeAsync(new FunctionCallContent("c", "risky"));

        Assert.Same(palette, provider.GetRequiredService<IPaletteSource>());
        Assert.Equal(["risky"], toolbox.Tools.Select(t => t.Name));
        Assert.Equal("done", ToolingFixtures.ResultText(result));
        Assert.Single(approver.Requests);
        Assert.True(provider.GetRequiredService<SsrfGuard>().IsHostAllowListed("svc.corp"));

        FunctionResultContent tooBig = await toolbox.InvokeAsync(new FunctionCallContent("d", "risky", new Dictionary<string, object?> { ["x"] = "long" }));
        Assert.Contains("ArgumentRejected", ToolingFixtures.ResultText(tooBig), StringComparison.Ordinal);
    }
}
