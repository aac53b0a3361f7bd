using Executus.Auditing;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the tool registry, the permission stages and the SSRF-safe HTTP client.</summary>
public static class ToolingServiceCollectionExtensions
{
    /// <summary>
    /// Registers, with <c>TryAdd</c> so a host's own registrations win: <see cref="IToolRegistry"/> (holding every
    /// <see cref="RegisteredTool"/> added with <c>AddTool</c>), <see cref="AllowAllPaletteSource"/> as
    /// <see cref="IPaletteSource"/>, the run kernel's (internal) toolbox factory, <see cref="SsrfOptions"/> read from the config source,
    /// <see cref="DnsHostResolver"/> as <see cref="IHostResolver"/>, <see cref="ISafeHttpClientFactory"/> and its
    /// <see cref="SsrfGuard"/>. Called by <c>AddExecutus</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddExecutusTooling(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SsrfOptions>, SsrfOptionsSetup>());
        services.TryAddSingleton<IToolRegistry>(static sp => new ToolRegistry(sp.GetServices<RegisteredTool>()));
        services.TryAddSingleton<IPaletteSource>(AllowAllPaletteSource.Instance);
        services.TryAddSingleton<IHostResolver>(DnsHostResolver.Instance);
        services.TryAddSingleton<ISafeHttpClientFactory>(static sp => new SafeHttpClientFactory(
            sp.GetRequiredService<IOptions<SsrfOptions>>().Value,
            sp.GetRequiredService<IHostResolver>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(static sp => sp.GetRequiredService<ISafeHttpClientFactory>().Guard);
        services.TryAddSingleton(static sp => new ToolboxFactory(
            sp.GetRequiredService<IToolRegistry>(),
            sp.GetService<IPaletteSource>(),
            sp.GetService<IAudit>(),
            sp.GetService<IToolApprovalHandler>(),
            sp.GetService<TimeProvider>(),
            sp.GetServices<IToolArgumentValidator>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
