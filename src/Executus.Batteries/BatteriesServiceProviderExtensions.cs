using Executus.Auditing;
using Executus.Batteries;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Critics;
using Executus.Runs;
using Executus.Schedules;
using Executus.Skills;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Start-up checks for the batteries registered by <c>AddBatteries</c>.</summary>
public static class BatteriesServiceProviderExtensions
{
    /// <summary>
    /// Reads every switched-on battery's configuration and builds its port now, so a misconfigured battery fails at
    /// start-up, not at the first run: the switches (<c>Executus:Batteries:*</c>), <c>Executus:Budget:*</c>,
    /// <c>Executus:Audit:*</c>, <c>Executus:Checkpoint:*</c> (and <c>:Recovery:*</c>), the persona catalog, the skill
    /// disclosure, <c>Executus:Schedule:*</c> (and <c>:Skills:*</c>) and <c>Executus:Critic:*</c>. A Generic Host does this in its first hosted service; call it yourself otherwise.
    /// </summary>
    /// <param name="services">The built provider.</param>
    /// <returns>The switches in force.</returns>
    /// <exception cref="ConfigException">A key is malformed or out of range; the exception names it.</exception>
    public static BatteriesOptions ValidateBatteries(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        IConfigSource config = services.GetRequiredService<IConfigSource>();
        BatteriesOptions options = services.GetRequiredService<BatteriesOptions>();
        if (options.Budget)
        {
            BudgetOptions.FromConfig(config);
            _ = services.GetRequiredService<IBudget>();
        }

        if (options.Audit)
        {
            AuditWriterOptions.FromConfig(config);
            _ = services.GetRequiredService<IAudit>();
        }

        if (options.Checkpoint)
        {
            CheckpointOptions.FromConfig(config);
            InterruptedRunRecoveryOptions.FromConfig(config);
            _ = services.GetRequiredService<ICheckpointer>();
        }

        if (options.Persona)
        {
            _ = services.GetRequiredService<IAgentCatalog>();
        }

        if (options.Skill)
        {
            _ = services.GetRequiredService<SkillDisclosure>();
        }

        if (options.Critic)
        {
            CriticOptions.FromConfig(config).Validate();
            _ = services.GetRequiredService<ICritic>();
        }

        if (options.Schedule)
        {
            ScheduleRunnerOptions.FromConfig(config);
            _ = services.GetRequiredService<ScheduleRunner>();
            if (options.Skill)
            {
                _ = services.GetRequiredService<SkillScheduleSync>();
            }
        }

        return options;
    }
}
