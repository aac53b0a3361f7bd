using Executus.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the agent catalog.</summary>
public static class AgentCatalogServiceCollectionExtensions
{
    /// <summary>
    /// Registers, with <c>TryAdd</c> so a host's (or a battery's) own catalog wins, an <see cref="InMemoryAgentCatalog"/>
    /// as <see cref="IAgentCatalog"/> holding every <see cref="RunnableAgent"/> added with <c>AddAgent</c>.
    /// Called by <c>AddExecutus</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddExecutusAgentCatalog(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAgentCatalog>(static sp => new InMemoryAgentCatalog(sp.GetServices<RunnableAgent>()));
        return services;
    }
}
