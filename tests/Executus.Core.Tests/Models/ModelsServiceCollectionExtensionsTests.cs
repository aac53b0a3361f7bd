using Executus.Compaction;
using Executus.Configuration;
using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Models;

public sealed class ModelsServiceCollectionExtensionsTests
{
    [Fact]
    public void AddExecutus_registers_every_models_and_compaction_default()
    {
        using ServiceProvider services = new ServiceCollection().AddExecutus().Services.BuildServiceProvider();
        Assert.Same(NullUsageSink.Instance, services.GetRequiredService<IUsageSink>());
        Assert.Same(NullTraceSink.Instance, services.GetRequiredService<ITraceSink>());
        Assert.Same(DefaultTransientErrorClassifier.Instance, services.GetRequiredService<ITransientErrorClassifier>());
        Assert.Same(EstimatingTokenCounter.Instance, services.GetRequiredService<ITokenCounter>());
        Assert.IsType<TokenBudgetCompactor>(services.GetRequiredService<ICompactor>());
        Assert.NotNull(services.GetRequiredService<LlmMeta>());
    }

    [Fact]
    public async Task Registered_provider_and_usage_sink_are_used_by_resolved_tiers()
    {
        var sink = new CollectingUsageSink();
        var model = new ScriptedChatClient("m").ReplyText("hi");
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:smart", "scripted:m")]);
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus()
            .UseConfigSource(config)
            .AddModelProvider("scripted", (_, _) => model)
            .UseUsageSink(sink);
        using ServiceProvider services = collection.BuildServiceProvider();

        using IChatClient client = services.GetRequiredService<ModelTierResolver>().Resolve("smart");
        Assert.Equal("hi", (await client.GetResponseAsync("x")).Text);
        Assert.Equal("smart", Assert.Single(sink.Records).Tier);
    }
}
