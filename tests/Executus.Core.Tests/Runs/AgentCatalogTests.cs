using Executus.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Runs;

public class AgentCatalogTests
{
    [Fact]
    public void The_in_memory_catalog_finds_agents_case_insensitively_and_keeps_order()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("Writer"), new RunnableAgent("critic")]);

        Assert.True(catalog.TryGet("writer", out RunnableAgent? writer));
        Assert.Equal("Writer", writer.Name);
        Assert.False(catalog.TryGet("editor", out _));
        Assert.Equal(["Writer", "critic"], catalog.Agents.Select(a => a.Name));

        Assert.True(catalog.Remove("CRITIC"));
        Assert.False(catalog.Remove("critic"));
        Assert.Equal(["Writer"], catalog.Agents.Select(a => a.Name));
    }

    [Fact]
    public void Duplicate_names_are_refused()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("writer")]);
        var ex = Assert.Throws<ArgumentException>(() => catalog.Add(new RunnableAgent("WRITER")));
        Assert.Contains("'WRITER' is already in the catalog", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddExecutus_registers_a_catalog_holding_every_added_agent()
    {
        var services = new ServiceCollection();
        services.AddExecutus().AddAgent(new RunnableAgent("a")).AddAgent(new RunnableAgent("b") { Description = "B" });
        using ServiceProvider provider = services.BuildServiceProvider();

        IAgentCatalog catalog = provider.GetRequiredService<IAgentCatalog>();

        Assert.IsType<InMemoryAgentCatalog>(catalog);
        Assert.Equal(["a", "b"], catalog.Agents.Select(a => a.Name));
    }

    [Fact]
    public void AddAgent_refuses_a_duplicate_name_and_an_invalid_agent()
    {
        Executus.IExecutusBuilder builder = new ServiceCollection().AddExecutus().AddAgent(new RunnableAgent("a"));
        Assert.Throws<ArgumentException>(() => builder.AddAgent(new RunnableAgent("A")));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddAgent(new RunnableAgent("z") { MaxIterations = 0 }));
    }

    [Fact]
    public void A_host_catalog_registered_first_wins()
    {
        var own = new InMemoryAgentCatalog([new RunnableAgent("mine")]);
        var services = new ServiceCollection();
        services.AddSingleton<IAgentCatalog>(own);
        services.AddExecutus().AddAgent(new RunnableAgent("ignored"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<IAgentCatalog>());
    }
}
