using Executus;
using Executus.Auditing;
using Executus.Batteries;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Critics;
using Executus.Personas;
using Executus.Runs;
using Executus.Schedules;
using Executus.Skills;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers every Executus battery at once.</summary>
public static class BatteriesBuilderExtensions
{
    /// <summary>
    /// Registers every battery's default into the run kernel's ports: Budget (<c>AddBudget</c>, <c>Executus:Budget:*</c>),
    /// Audit (<c>AddAudit</c>, <c>Executus:Audit:*</c>), Checkpoint with interrupted-run recovery at start-up
    /// (<c>AddCheckpointing</c> + <c>AddInterruptedRunRecovery</c>, <c>Executus:Checkpoint:*</c>), Persona
    /// (<c>AddPersonas</c>), Skill (<c>AddSkills</c>), Schedule (<c>AddSchedules</c>, <c>Executus:Schedule:*</c>; with the Skill battery
    /// on, a <see cref="SkillScheduleSync"/> keeps a schedule per active skill that has one; a firing's agent is made by the
    /// <see cref="BatteryAgentFactory"/> for the schedule's caller) and Critic (<c>AddCritic</c>,
    /// <c>Executus:Critic:*</c>; escalations go to the container's <c>IDelivery</c>), plus a <see cref="BatteryAgentFactory"/> that prepares a run's
    /// agent from both.
    /// </summary>
    /// <remarks>
    /// <para>Each battery is switched by <c>Executus:Batteries:{Name}:Enabled</c> (see <see cref="BatteriesOptions"/>),
    /// then <paramref name="configure"/> runs. Stores are registered with <c>TryAdd</c>, so a host's own store (before or
    /// after this call) wins; a port or palette source registered AFTER this call (<c>UseBudget</c>, <c>UseAudit</c>,
    /// <c>UseCheckpointer</c>, <c>UsePaletteSource</c>…) replaces the battery's.</para>
    /// <para>With a Generic Host the first hosted service validates the batteries' configuration (see
    /// <see cref="BatteriesServiceProviderExtensions.ValidateBatteries"/>): a malformed key stops the start with a
    /// <see cref="ConfigException"/> naming it. Without one, call <c>ValidateBatteries()</c> on the built provider.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the switches read from configuration.</param>
    /// <returns>A builder to add personas and skills with.</returns>
    /// <exception cref="InvalidOperationException"><c>AddBatteries</c>, <c>AddPersonas</c> or <c>AddSkills</c> was already called.</exception>
    public static BatteriesBuilder AddBatteries(this IExecutusBuilder builder, Action<BatteriesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(BatteryAgentFactory)))
        {
            throw new InvalidOperationException("AddBatteries was already called.");
        }

        services.TryAddSingleton(sp =>
        {
            BatteriesOptions options = BatteriesOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            return options;
        });

        // Why: first of all hosted services, so a bad key stops the host before recovery or any channel starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, BatteriesStartupValidator>());

        builder.AddBudget();
        services.Replace(ServiceDescriptor.Singleton<IBudget>(static sp =>
            Options(sp).Budget ? sp.GetRequiredService<LedgerBudget>() : NullBudget.Instance));

        builder.AddAudit();
        services.Replace(ServiceDescriptor.Singleton<IAudit>(static sp =>
            Options(sp).Audit ? sp.GetRequiredService<AuditWriter>() : NullAudit.Instance));

        builder.AddCheckpointing();
        services.Replace(ServiceDescriptor.Singleton<ICheckpointer>(static sp =>
            Options(sp).Checkpoint ? sp.GetRequiredService<StoreCheckpointer>() : NullCheckpointer.Instance));
        int hostedBefore = services.Count(d => d.ServiceType == typeof(IHostedService));
        builder.AddInterruptedRunRecovery();
        ServiceDescriptor[] recoveryHosted = [.. services.Where(d => d.ServiceType == typeof(IHostedService)).Skip(hostedBefore)];
        foreach (ServiceDescriptor descriptor in recoveryHosted)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<IHostedService>(static sp => new SwitchedHostedService(
            () => Options(sp).Checkpoint ? sp.GetRequiredService<InterruptedRunRecovery>() : null));

        ServiceDescriptor? hostCatalog = services.LastOrDefault(d => d.ServiceType == typeof(IAgentCatalog) && !d.IsKeyedService);
        ServiceDescriptor? hostPalette = services.LastOrDefault(d => d.ServiceType == typeof(IPaletteSource) && !d.IsKeyedService);
        PersonasBuilder personas = builder.AddPersonas();
        ServiceDescriptor personaPalette = services.Last(d => d.ServiceType == typeof(IPaletteSource) && !d.IsKeyedService);
        services.Replace(ServiceDescriptor.Singleton<IAgentCatalog>(sp =>
            Options(sp).Persona || hostCatalog is null
                ? sp.GetRequiredService<PersonaCatalog>()
                : Resolve<IAgentCatalog>(sp, hostCatalog)));

        SkillsBuilder skills = builder.AddSkills();
        services.RemoveAll<IPaletteSource>();
        services.AddSingleton<IPaletteSource>(sp =>
        {
            BatteriesOptions options = Options(sp);
            IPaletteSource inner = options.Persona
                ? Resolve<IPaletteSource>(sp, personaPalette)
                : hostPalette is null ? AllowAllPaletteSource.Instance : Resolve<IPaletteSource>(sp, hostPalette);
            return new BatteriesPaletteSource(inner, skillsOff: !options.Skill);
        });

        hostedBefore = services.Count(d => d.ServiceType == typeof(IHostedService));
        builder.AddSchedules();
        ServiceDescriptor[] scheduleHosted = [.. services.Where(d => d.ServiceType == typeof(IHostedService)).Skip(hostedBefore)];
        foreach (ServiceDescriptor descriptor in scheduleHosted)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<IHostedService>(static sp => new SwitchedHostedService(
            () => Options(sp).Schedule ? sp.GetRequiredService<ScheduleRunner>() : null));

        // Why: active skills with a schedule (SKILL.md's executus.schedule) become schedules only when both batteries run.
        services.TryAddSingleton(static sp => new SkillScheduleSync(
            sp.GetRequiredService<ISkillStore>(),
            sp.GetRequiredService<ScheduleRunner>(),
            SkillScheduleOptions.FromConfig(sp.GetRequiredService<IConfigSource>()),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<SkillScheduleSync>>()));
        services.AddSingleton<IHostedService>(static sp => new SwitchedHostedService(
            () => Options(sp) is { Schedule: true, Skill: true } ? sp.GetRequiredService<SkillScheduleSync>() : null));

        builder.AddCritic();
        services.Replace(ServiceDescriptor.Singleton<ICritic>(static sp =>
            Options(sp).Critic ? sp.GetRequiredService<TimeoutCritic>() : NullCritic.Instance));

        services.AddSingleton(static sp => new BatteryAgentFactory(
            Options(sp),
            sp.GetRequiredService<IAgentCatalog>(),
            sp.GetService<PersonaCatalog>(),
            sp.GetService<SkillDisclosure>()));
        services.TryAddSingleton<IScheduleAgentResolver>(static sp => new BatteryScheduleAgentResolver(sp.GetRequiredService<BatteryAgentFactory>()));
        return new BatteriesBuilder(services, personas, skills);
    }

    private static BatteriesOptions Options(IServiceProvider provider) => provider.GetRequiredService<BatteriesOptions>();

    private static T Resolve<T>(IServiceProvider provider, ServiceDescriptor descriptor)
        where T : class =>
        descriptor.ImplementationInstance as T
        ?? (T?)descriptor.ImplementationFactory?.Invoke(provider)
        ?? (T)ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
