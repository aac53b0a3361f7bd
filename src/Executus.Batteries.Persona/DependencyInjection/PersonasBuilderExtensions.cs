using Executus;
using Executus.Personas;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the persona battery.</summary>
public static class PersonasBuilderExtensions
{
    /// <summary>
    /// Registers the persona battery: an <see cref="IPersonaStore"/> (default <see cref="InMemoryPersonaStore"/>) and
    /// <see cref="IPersonalizationStore"/> (default in memory), both with <c>TryAdd</c>; the <see cref="PersonaCatalog"/>
    /// as the <see cref="IAgentCatalog"/> (falling back to the agents added with <c>AddAgent</c>); and the
    /// <see cref="PersonaPaletteSource"/> in front of the palette source registered so far.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="PersonaOptions"/>.</param>
    /// <returns>A builder to add personas with (<see cref="PersonasBuilder.FromDirectory"/>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddPersonas</c> was already called.</exception>
    public static PersonasBuilder AddPersonas(this IExecutusBuilder builder, Action<PersonaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(PersonaSeeds)))
        {
            throw new InvalidOperationException("AddPersonas was already called; add every folder to the builder it returned.");
        }

        PersonaOptions options = new();
        configure?.Invoke(options);
        options.Validate();
        PersonaSeeds seeds = new();
        services.AddSingleton(options);
        services.AddSingleton(seeds);
        services.TryAddSingleton<IPersonaStore>(static sp => new InMemoryPersonaStore(sp.GetRequiredService<PersonaSeeds>().Personas));
        services.TryAddSingleton<IPersonalizationStore, InMemoryPersonalizationStore>();
        services.TryAddSingleton(static sp => new PersonaCatalog(
            sp.GetRequiredService<IPersonaStore>(),
            sp.GetRequiredService<IPersonalizationStore>(),
            new InMemoryAgentCatalog(sp.GetServices<RunnableAgent>()),
            sp.GetRequiredService<PersonaOptions>()));
        services.Replace(ServiceDescriptor.Singleton<IAgentCatalog>(static sp => sp.GetRequiredService<PersonaCatalog>()));

        // Why: decorate, not replace, so a host's palette source registered earlier still has its say.
        ServiceDescriptor? inner = services.LastOrDefault(d => d.ServiceType == typeof(IPaletteSource) && !d.IsKeyedService);
        services.RemoveAll<IPaletteSource>();
        services.AddSingleton<IPaletteSource>(sp => new PersonaPaletteSource(sp.GetRequiredService<IPersonaStore>(), inner is null ? null : Resolve(sp, inner)));
        return new PersonasBuilder(services, seeds);
    }

    private static IPaletteSource Resolve(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as IPaletteSource
        ?? (IPaletteSource?)descriptor.ImplementationFactory?.Invoke(provider)
        ?? (IPaletteSource)ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
