using Executus;
using Executus.Auditing;
using Executus.Skills;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the skill battery.</summary>
public static class SkillsBuilderExtensions
{
    /// <summary>
    /// Registers the skill battery: an <see cref="ISkillStore"/> (default <see cref="InMemorySkillStore"/>, with
    /// <c>TryAdd</c>), the <see cref="SkillLibrary"/> (audited changes), the <see cref="SkillDisclosure"/> (catalog and
    /// run preparation), and the <c>load_skill</c>/<c>read_skill_resource</c> tools in the tool registry.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="SkillOptions"/>.</param>
    /// <returns>A builder to add skills with (<see cref="SkillsBuilder.FromDirectory"/>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddSkills</c> was already called.</exception>
    public static SkillsBuilder AddSkills(this IExecutusBuilder builder, Action<SkillOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(SkillSeeds)))
        {
            throw new InvalidOperationException("AddSkills was already called; add every folder to the builder it returned.");
        }

        SkillOptions options = new();
        configure?.Invoke(options);
        options.Validate();
        SkillSeeds seeds = new();
        services.AddSingleton(options);
        services.AddSingleton(seeds);
        services.TryAddSingleton<ISkillStore>(static sp =>
        {
            InMemorySkillStore store = new(sp.GetService<TimeProvider>());
            sp.GetRequiredService<SkillSeeds>().ApplyTo(store);
            return store;
        });
        services.TryAddSingleton(static sp => new SkillLibrary(sp.GetRequiredService<ISkillStore>(), sp.GetService<IAudit>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(static sp => new SkillDisclosure(sp.GetRequiredService<ISkillStore>(), sp.GetRequiredService<SkillOptions>()));
        services.TryAddSingleton(static sp => new SkillTools(sp.GetRequiredService<SkillDisclosure>(), sp.GetService<IAudit>(), sp.GetService<TimeProvider>()));

        // Why: one lazy descriptor per tool, so the registry (built from every RegisteredTool) sees both, built from
        // the finished container's store and audit.
        services.AddSingleton(static sp => sp.GetRequiredService<SkillTools>().LoadSkill);
        services.AddSingleton(static sp => sp.GetRequiredService<SkillTools>().ReadSkillResource);
        return new SkillsBuilder(services, seeds);
    }
}
