using Executus;
using Executus.Configuration;
using Executus.Dispatch;
using Executus.Lanes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the lane registry and the dispatch guard.</summary>
public static class LanesServiceCollectionExtensions
{
    /// <summary>
    /// Registers, with <c>TryAdd</c>, a singleton <see cref="LaneRegistry"/> (lanes read from
    /// <c>Executus:Lanes:{name}:*</c>, with <see cref="LaneOptions"/> as the defaults for missing keys) and a singleton
    /// <see cref="DispatchGuard"/> reading <c>Executus:Dispatch:*</c>. <c>AddExecutus()</c> already calls this; call it
    /// again to change the lane defaults.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configureDefaults">Changes to the default lane limits (applied before configuration keys).</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddLanes(this IExecutusBuilder builder, Action<LaneOptions>? configureDefaults = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddOptions();
        services.TryAddSingleton(static sp => new LaneRegistry(
            sp.GetRequiredService<IConfigSource>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IOptions<LaneOptions>>()?.Value));
        services.TryAddSingleton(static sp => new DispatchGuard(sp.GetRequiredService<IConfigSource>()));
        if (configureDefaults is not null)
        {
            services.Configure(configureDefaults);
        }

        return builder;
    }
}
