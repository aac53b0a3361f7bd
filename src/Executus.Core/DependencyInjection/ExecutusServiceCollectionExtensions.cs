using Executus;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Executus's core services.</summary>
public static class ExecutusServiceCollectionExtensions
{
    /// <summary>
    /// Registers every Executus core default with <c>TryAdd</c>, so a host's own registration (made before or after)
    /// wins: <see cref="TimeProvider.System"/>, an <see cref="IConfigSource"/> over <see cref="IConfiguration"/>
    /// (when registered) then environment variables, the anonymous <see cref="ICallerIdentityResolver"/> (no
    /// <see cref="IDelivery"/>: runs report <c>NotDelivered</c> until a host registers one), the tooling defaults (<see cref="ToolingServiceCollectionExtensions.AddExecutusTooling"/>),
    /// the models and compaction defaults (no-op usage/trace sinks, tier resolver, <c>LlmMeta</c>, estimating token counter,
    /// token-budget compactor), the lane registry and dispatch guard (see <c>AddLanes</c>), the run kernel (see <see cref="RunsServiceCollectionExtensions.AddExecutusRuns"/>), the agent catalog (see <see cref="AgentCatalogServiceCollectionExtensions.AddExecutusAgentCatalog"/>), and <see cref="ExecutusOptions"/> read from the config source.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes to the options, applied after configuration is read.</param>
    /// <returns>A builder for further Executus registrations.</returns>
    public static IExecutusBuilder AddExecutus(this IServiceCollection services, Action<ExecutusOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConfigSource>(static sp =>
            sp.GetService<IConfiguration>() is { } configuration
                ? new CompositeConfigSource(new ConfigurationConfigSource(configuration), EnvironmentConfigSource.Instance)
                : EnvironmentConfigSource.Instance);
        services.TryAddSingleton<ICallerIdentityResolver>(AnonymousCallerIdentityResolver.Instance);
        services.AddExecutusTooling();
        ModelsServiceCollectionExtensions.TryAddModelDefaults(services);
        services.AddExecutusRuns();
        services.AddExecutusAgentCatalog();

        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ExecutusOptions>, ExecutusOptionsSetup>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new ExecutusBuilder(services).AddLanes();
    }
}
