using Executus;
using Executus.Auditing;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Lanes;
using Executus.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the Checkpoint battery into the run kernel's <see cref="ICheckpointer"/> port.</summary>
public static class CheckpointingBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="StoreCheckpointer"/> as the checkpoint port. Registers, with <c>TryAdd</c> so a host's own
    /// registration (before or after) wins, an <see cref="ICheckpointStore"/> (<see cref="InMemoryCheckpointStore"/>,
    /// which does NOT survive a restart — register a durable store for crash recovery), the checkpointer with options
    /// read from <c>Executus:Checkpoint:*</c> then <paramref name="configure"/>, and <see cref="CheckpointRecovery"/>
    /// (list, resume by id, abandon). The container disposes the checkpointer, which flushes pending saves.
    /// With <c>Executus:Checkpoint:Lease:Enabled=true</c> (hosts sharing one store), runs are leased through a
    /// <see cref="RunLeaseKeeper"/> (<see cref="RunLeaseOptions"/> from <c>Executus:Checkpoint:Lease:*</c>; the store must
    /// implement <see cref="IRunLeaseStore"/>, else a <see cref="ConfigException"/> naming the key).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddCheckpointing(this IExecutusBuilder builder, Action<CheckpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<ICheckpointStore, InMemoryCheckpointStore>();
        services.TryAddSingleton(static sp => RunLeaseOptions.FromConfig(sp.GetRequiredService<IConfigSource>()));
        services.TryAddSingleton(static sp =>
        {
            RunLeaseOptions options = sp.GetRequiredService<RunLeaseOptions>();
            ICheckpointStore store = sp.GetRequiredService<ICheckpointStore>();
            IRunLeaseStore leases = store as IRunLeaseStore ?? throw new ConfigException(
                RunLeaseOptions.ConfigPrefix + "Enabled",
                "true",
                $"a checkpoint store that implements IRunLeaseStore ({store.GetType().Name} does not; register a durable store such as the SQLite or PostgreSQL one)");
            return new RunLeaseKeeper(leases, options, sp.GetService<TimeProvider>(), sp.GetService<ILogger<RunLeaseKeeper>>());
        });
        services.TryAddSingleton(sp =>
        {
            CheckpointOptions options = CheckpointOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            return new StoreCheckpointer(
                sp.GetRequiredService<ICheckpointStore>(),
                options,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<StoreCheckpointer>>(),
                sp.GetRequiredService<RunLeaseOptions>().Enabled ? sp.GetRequiredService<RunLeaseKeeper>() : null);
        });
        services.Replace(ServiceDescriptor.Singleton<ICheckpointer>(static sp => sp.GetRequiredService<StoreCheckpointer>()));
        services.TryAddSingleton(static sp => new CheckpointRecovery(
            sp.GetRequiredService<ICheckpointStore>(),
            sp.GetRequiredService<Executor>(),
            sp.GetService<IAgentCatalog>(),
            sp.GetService<IAudit>(),
            sp.GetService<StoreCheckpointer>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<CheckpointRecovery>>()));
        return builder;
    }

    /// <summary>
    /// Adds <see cref="InterruptedRunRecovery"/> as a hosted service (for hosts with a Generic Host): at start-up it
    /// resumes, abandons or reports the runs interrupted by the last crash or shutdown, per
    /// <c>Executus:Checkpoint:Recovery:*</c> (<c>Policy</c>, <c>MaxResumeAttempts</c>, <c>Lane</c>, <c>MaxAge</c>) then
    /// <paramref name="configure"/>. Calls <see cref="AddCheckpointing"/> when it was not called.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddInterruptedRunRecovery(this IExecutusBuilder builder, Action<InterruptedRunRecoveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(StoreCheckpointer)))
        {
            builder.AddCheckpointing();
        }

        services.TryAddSingleton(sp =>
        {
            InterruptedRunRecoveryOptions options = InterruptedRunRecoveryOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            return new InterruptedRunRecovery(
                sp.GetRequiredService<CheckpointRecovery>(),
                options,
                sp.GetService<LaneRegistry>(),
                sp.GetService<IDelivery>(),
                sp.GetService<StoreCheckpointer>(),
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<InterruptedRunRecovery>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InterruptedRunRecovery>(static sp => sp.GetRequiredService<InterruptedRunRecovery>()));
        return builder;
    }
}
