using Executus;
using Executus.Batteries.Budget;
using Executus.Configuration;
using Executus.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the Budget battery into the run kernel's <see cref="IBudget"/> port.</summary>
public static class BudgetBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="LedgerBudget"/> as the budget port. Registers, with <c>TryAdd</c>, an <see cref="IBudgetStore"/>
    /// (<see cref="InMemoryBudgetStore"/>, so a host may register its own) and <see cref="BudgetQueries"/> for operators.
    /// Options are read from <c>Executus:Budget:*</c> at every check (see <see cref="BudgetOptions"/>), then
    /// <paramref name="configure"/> runs on them (e.g. to add limits or prices in code).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration; called at every check.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddBudget(this IExecutusBuilder builder, Action<BudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<IBudgetStore>(static _ => new InMemoryBudgetStore());
        services.TryAddSingleton(sp => new LedgerBudget(
            sp.GetRequiredService<IBudgetStore>(),
            OptionsReader(sp.GetRequiredService<IConfigSource>(), configure),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<LedgerBudget>>()));
        services.TryAddSingleton(sp => new BudgetQueries(
            sp.GetRequiredService<IBudgetStore>(),
            OptionsReader(sp.GetRequiredService<IConfigSource>(), configure),
            sp.GetService<TimeProvider>()));
        services.Replace(ServiceDescriptor.Singleton<IBudget>(static sp => sp.GetRequiredService<LedgerBudget>()));
        return builder;
    }

    private static Func<BudgetOptions> OptionsReader(IConfigSource config, Action<BudgetOptions>? configure) => () =>
    {
        BudgetOptions options = BudgetOptions.FromConfig(config);
        configure?.Invoke(options);
        return options;
    };
}
