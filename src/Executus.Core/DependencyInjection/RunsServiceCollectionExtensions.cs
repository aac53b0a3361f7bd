using Executus;
using Executus.Auditing;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Dispatch;
using Executus.Identity;
using Executus.Models;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the run kernel: <see cref="Executor"/> and the null objects of its ports.</summary>
public static class RunsServiceCollectionExtensions
{
    /// <summary>
    /// Registers, with <c>TryAdd</c>: <see cref="IAgentModelResolver"/> (tiers through <see cref="ModelTierResolver"/>),
    /// the null <see cref="IBudget"/>, <see cref="ICheckpointer"/> and <see cref="IAudit"/>, and a singleton
    /// <see cref="Executor"/> whose ports are whatever the container holds (a registered <see cref="ICritic"/>, every
    /// <see cref="IRunObserver"/>, the <see cref="IPaletteSource"/>, the <see cref="IDelivery"/> when one is registered),
    /// the container's one <see cref="ToolboxFactory"/>, its <see cref="ICallerIdentityResolver"/> and <see cref="ITokenCounter"/>,
    /// and options read from <c>Executus:Runs:*</c> and <c>Executus:Attachments:*</c> at every run. Called by <c>AddExecutus</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddExecutusRuns(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAgentModelResolver>(static sp => new TierAgentModelResolver(sp.GetRequiredService<ModelTierResolver>()));
        services.TryAddSingleton<IBudget>(NullBudget.Instance);
        services.TryAddSingleton<ICheckpointer>(NullCheckpointer.Instance);
        services.TryAddSingleton<IAudit>(NullAudit.Instance);
        services.TryAddSingleton(static sp =>
        {
            IConfigSource config = sp.GetRequiredService<IConfigSource>();
            IOptionsFactory<ExecutusOptions> executusOptions = sp.GetRequiredService<IOptionsFactory<ExecutusOptions>>();

            // Why: configuration is read at every run (values may change at run time); reading it once here validates
            // it at startup. Attachment limits come from the options factory so code-configured values keep winning.
            ExecutorOptions options = ExecutorOptions.FromConfig(config);
            options.Config = config;
            options.Attachments = sp.GetRequiredService<IOptions<ExecutusOptions>>().Value.Attachments;
            options.AttachmentsProvider = () => executusOptions.Create(Options.Options.DefaultName).Attachments;
            options.ApprovalHandler = sp.GetService<IToolApprovalHandler>();
            options.ToolValidators = [.. sp.GetServices<IToolArgumentValidator>()];
            options.Services = sp;
            options.CallerResolver = sp.GetService<ICallerIdentityResolver>();
            options.TokenCounter = sp.GetService<ITokenCounter>();
            var ports = new RunPorts
            {
                Budget = sp.GetService<IBudget>(),
                Audit = sp.GetService<IAudit>(),
                Checkpointer = sp.GetService<ICheckpointer>(),
                Critic = sp.GetService<ICritic>(),
                Palette = sp.GetService<IPaletteSource>(),
                Delivery = sp.GetService<IDelivery>(),
                Observers = [.. sp.GetServices<IRunObserver>()],
            };
            return new Executor(
                sp.GetRequiredService<IAgentModelResolver>(),
                sp.GetRequiredService<IToolRegistry>(),
                sp.GetRequiredService<ToolboxFactory>(),
                ports,
                options,
                sp.GetService<ICompactor>(),
                sp.GetService<DispatchGuard>(),
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>());
        });
        return services;
    }
}
