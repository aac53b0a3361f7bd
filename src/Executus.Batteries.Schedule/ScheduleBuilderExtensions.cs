using Executus;
using Executus.Configuration;
using Executus.Lanes;
using Executus.Models;
using Executus.Runs;
using Executus.Schedules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Schedule battery: cron-driven runs fired by a hosted <see cref="ScheduleRunner"/>.</summary>
public static class ScheduleBuilderExtensions
{
    /// <summary>
    /// Registers, with <c>TryAdd</c> so a host's own registration (before or after) wins, an <see cref="IScheduleStore"/>
    /// (<see cref="InMemoryScheduleStore"/>, which does NOT survive a restart — register a durable store to keep fire
    /// times and to share schedules between hosts), the <see cref="ScheduleRunner"/> with options read from
    /// <c>Executus:Schedule:*</c> then <paramref name="configure"/>, and the runner as a hosted service. Firings run on
    /// the lane <c>Executus:Schedule:Lane</c> (default <c>schedule</c>) and get their agents from the container's
    /// <see cref="IScheduleAgentResolver"/> (for the schedule's caller), else its <see cref="IAgentCatalog"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddSchedules(this IExecutusBuilder builder, Action<ScheduleRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<IScheduleStore, InMemoryScheduleStore>();
        services.TryAddSingleton(sp =>
        {
            ScheduleRunnerOptions options = ScheduleRunnerOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            return new ScheduleRunner(
                sp.GetRequiredService<IScheduleStore>(),
                sp.GetRequiredService<Executor>(),
                sp.GetService<LaneRegistry>(),
                sp.GetService<IAgentCatalog>(),
                options,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<ScheduleRunner>>(),
                sp.GetService<ModelTierResolver>(),
                sp.GetService<IScheduleAgentResolver>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ScheduleRunner>(static sp => sp.GetRequiredService<ScheduleRunner>()));
        return builder;
    }
}
