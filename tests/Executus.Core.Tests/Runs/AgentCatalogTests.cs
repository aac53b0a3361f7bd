using Executus.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Runs;

public class AgentCatalogTests
{
    [Fact]
    public async Task The_in_memory_catalog_finds_agents_case_insensitively_and_keeps_order()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("Writer"), new RunnableAgent("critic")]);

        RunnableAgent? writer = await catalog.GetAsync("writer");
        Assert.Equal("Writer", writer?.Name);
        Assert.Null(await catalog.GetAsync("editor"));
        Assert.Equal(["Writer", "critic"], (await catalog.ListAsync()).Select(a => a.Name));

        Assert.True(catalog.Remove("CRITIC"));
        Assert.False(catalog.Remove("critic"));
        Assert.Equal(["Writer"], (await catalog.ListAsync()).Select(a => a.Name));
    }

    [Fact]
    public async Task Versions_of_one_name_are_kept_and_the_last_added_is_current()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("writer") { Version = "1", Instructions = "v1" }, new RunnableAgent("other")]);
        catalog.Add(new RunnableAgent("Writer") { Version = "2", Instructions = "v2" });

        Assert.Equal("v2", (await catalog.GetAsync("writer"))?.Instructions);
        Assert.Equal("v1", (await catalog.GetAsync("WRITER", "1"))?.Instructions);
        Assert.Null(await catalog.GetAsync("writer", "3"));
        Assert.Equal(["2", null], (await catalog.ListAsync()).Select(a => a.Version));
        Assert.Equal(["Writer", "other"], (await catalog.ListAsync()).Select(a => a.Name));

        Assert.True(catalog.Remove("writer"));
        Assert.Null(await catalog.GetAsync("writer", "1"));
    }

    [Fact]
    public void Duplicate_names_in_the_same_version_are_refused()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("writer"), new RunnableAgent("critic") { Version = "7" }]);
        var ex = Assert.Throws<ArgumentException>(() => catalog.Add(new RunnableAgent("WRITER")));
        Assert.Contains("'WRITER' without a version is already in the catalog", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => catalog.Add(new RunnableAgent("critic") { Version = "7" }));
        Assert.Contains("in version '7'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_lookup_throws()
    {
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("a")]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await catalog.GetAsync("a", cancellationToken: new CancellationToken(true)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await catalog.ListAsync(new CancellationToken(true)));
    }

    [Fact]
    public async Task AddExecutus_registers_a_catalog_holding_every_added_agent()
    {
        var services = new ServiceCollection();
        services.AddExecutus().AddAgent(new RunnableAgent("a")).AddAgent(new RunnableAgent("b") { Description = "B" })
            .AddAgent(new RunnableAgent("a") { Version = "2" });
        using ServiceProvider provider = services.BuildServiceProvider();

        IAgentCatalog catalog = provider.GetRequiredService<IAgentCatalog>();

        Assert.IsType<InMemoryAgentCatalog>(catalog);
        Assert.Equal(["a", "b"], (await catalog.ListAsync()).Select(a => a.Name));
        Assert.Equal("2", (await catalog.GetAsync("a"))?.Version);
    }

    [Fact]
    public void AddAgent_refuses_a_duplicate_name_and_version_and_an_invalid_agent()
    {
        Executus.IExecutusBuilder builder = new ServiceCollection().AddExecutus().AddAgent(new RunnableAgent("a"));
        Assert.Throws<ArgumentException>(() => builder.AddAgent(new RunnableAgent("A")));
        builder.AddAgent(new RunnableAgent("A") { Version = "2" });
        Assert.Throws<ArgumentException>(() => builder.AddAgent(new RunnableAgent("a") { Version = "2" }));
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
