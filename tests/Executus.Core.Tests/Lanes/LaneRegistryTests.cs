using Executus.Configuration;
using Executus.Dispatch;
using Executus.Lanes;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Lanes;

public sealed class LaneRegistryTests
{
    [Fact]
    public async Task Lanes_are_created_from_configuration_once_per_name()
    {
        var config = new InMemoryConfigSource([
            new("Executus:Lanes:interactive:MaxConcurrency", "3"),
            new("Executus:Lanes:interactive:MaxQueued", "7"),
            new("Executus:Lanes:interactive:MaxPerKey", "2"),
        ]);
        await using var registry = new LaneRegistry(config);
        Lane lane = registry.Get("interactive");
        Assert.Same(lane, registry.Get("INTERACTIVE"));
        Assert.Equal((3, 7, 2), (lane.MaxConcurrency, lane.MaxQueued, lane.MaxPerKey));

        Lane batch = registry.Get("batch");
        var defaults = new LaneOptions();
        Assert.Equal((defaults.MaxConcurrency, defaults.MaxQueued, int.MaxValue), (batch.MaxConcurrency, batch.MaxQueued, batch.MaxPerKey));
        Assert.Equal(2, registry.Lanes.Count);
    }

    [Theory]
    [InlineData("MaxConcurrency", "0")]
    [InlineData("MaxConcurrency", "many")]
    [InlineData("MaxQueued", "-1")]
    [InlineData("MaxPerKey", "1.5")]
    [InlineData("SubmitMode", "Sometimes")]
    [InlineData("ShutdownMode", "1")]
    public void Malformed_lane_configuration_throws_ConfigException_naming_the_key(string setting, string value)
    {
        string key = $"Executus:Lanes:bad:{setting}";
        var registry = new LaneRegistry(new InMemoryConfigSource([new(key, value)]));
        ConfigException ex = Assert.Throws<ConfigException>(() => registry.Get("bad"));
        Assert.Equal(key, ex.Key);
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Lanes);
    }

    [Fact]
    public void Modes_are_read_from_configuration()
    {
        LaneOptions options = LaneOptions.FromConfig(
            new InMemoryConfigSource([
                new("Executus:Lanes:x:SubmitMode", "failfast"),
                new("Executus:Lanes:x:ShutdownMode", "CancelQueued"),
            ]),
            "x");
        Assert.Equal(LaneSubmitMode.FailFast, options.SubmitMode);
        Assert.Equal(LaneShutdownMode.CancelQueued, options.ShutdownMode);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData(" ")]
    public void Bad_lane_names_are_rejected(string name)
    {
        var registry = new LaneRegistry(new InMemoryConfigSource());
        Assert.ThrowsAny<ArgumentException>(() => registry.Get(name));
    }

    [Fact]
    public async Task Disposing_the_registry_closes_its_lanes()
    {
        var registry = new LaneRegistry(new InMemoryConfigSource());
        Lane lane = registry.Get("x");
        await registry.DisposeAsync();
        Assert.True(lane.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => registry.Get("y"));
    }

    [Fact]
    public async Task AddExecutus_registers_the_lane_registry_and_dispatch_guard()
    {
        var services = new ServiceCollection();
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([new("Executus:Dispatch:MaxDepth", "5")]))
            .AddLanes(o => o.MaxConcurrency = 2);
        await using ServiceProvider provider = services.BuildServiceProvider();
        LaneRegistry registry = provider.GetRequiredService<LaneRegistry>();
        Assert.Same(registry, provider.GetRequiredService<LaneRegistry>());
        Assert.Equal(2, registry.Get("any").MaxConcurrency);
        Assert.Equal(5, provider.GetRequiredService<DispatchGuard>().GetLimits().MaxDepth);
    }
}
