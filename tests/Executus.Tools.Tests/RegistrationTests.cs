using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

public class RegistrationTests
{
    [Fact]
    public void Every_group_is_added_by_default_with_permission_metadata()
    {
        using ServiceProvider provider = Host.Build();
        IToolRegistry registry = provider.GetRequiredService<IToolRegistry>();

        (string Name, string Category, SideEffect SideEffect)[] expected =
        [
            ("web_fetch", "web", SideEffect.External),
            ("dns_lookup", "net", SideEffect.External),
            ("http_head", "net", SideEffect.External),
            ("memory_get", "store", SideEffect.Read),
            ("memory_set", "store", SideEffect.Write),
            ("memory_delete", "store", SideEffect.Write),
            ("memory_list", "store", SideEffect.Read),
            ("run_agent", "compose", SideEffect.Write),
            ("list_tools", "meta", SideEffect.Read),
            ("current_time", "meta", SideEffect.Read),
            ("run_info", "meta", SideEffect.Read),
            ("send_message", "comms", SideEffect.External),
        ];
        Assert.Equal(expected, registry.Tools.Select(t => (t.Name, t.Metadata.Category!, t.Metadata.SideEffect)));
        Assert.All(registry.Tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Function.Description)));
        Assert.IsType<UrlArgumentValidator>(Assert.Single(registry.Tools.Single(t => t.Name == "web_fetch").Metadata.Validators));
        Assert.IsType<UrlArgumentValidator>(Assert.Single(registry.Tools.Single(t => t.Name == "http_head").Metadata.Validators));
    }

    [Fact]
    public void A_host_picks_the_groups_it_wants()
    {
        using ServiceProvider provider = Host.Build(tools: o => { o.Web = false; o.Net = false; o.Compose = false; o.Comms = false; });
        Assert.Equal(
            ["memory_get", "memory_set", "memory_delete", "memory_list", "list_tools", "current_time", "run_info"],
            provider.GetRequiredService<IToolRegistry>().Tools.Select(t => t.Name));
        Assert.Null(provider.GetService<WebTools>());
    }

    [Fact]
    public void Metadata_can_be_tightened_per_tool()
    {
        using ServiceProvider provider = Host.Build(tools: o => o.ConfigureMetadata = (name, m) =>
            m.SideEffect == SideEffect.External ? m with { RequiredScopes = ["net:external"], NeedsApproval = name == "send_message" } : m);
        IToolRegistry registry = provider.GetRequiredService<IToolRegistry>();

        Assert.True(registry.TryGet("send_message", out RegisteredTool? send));
        Assert.True(send.RequiresApproval);
        Assert.Equal(["net:external"], send.Metadata.RequiredScopes);
        Assert.True(registry.TryGet("web_fetch", out RegisteredTool? web));
        Assert.Equal(["net:external"], web.Metadata.RequiredScopes);
        Assert.Single(web.Metadata.Validators);
        Assert.True(registry.TryGet("memory_get", out RegisteredTool? get));
        Assert.Empty(get.Metadata.RequiredScopes);
    }

    [Fact]
    public void Adding_the_generic_tools_twice_throws()
    {
        var services = new ServiceCollection();
        Executus.IExecutusBuilder builder = services.AddExecutus().AddGenericTools();
        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddGenericTools());
        Assert.Contains("already called", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_caps_are_refused_naming_the_option()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddExecutus().AddGenericTools(o => o.MaxValueBytes = 0));
        Assert.Equal("MaxValueBytes", ex.ParamName);
    }
}
