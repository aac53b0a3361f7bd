using Executus;
using Executus.Auditing;
using Executus.Configuration;
using Executus.Critics;
using Executus.Deliver;
using Executus.Models;
using Executus.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the Critic battery into the run kernel's <see cref="ICritic"/> port.</summary>
public static class CriticBuilderExtensions
{
    /// <summary>
    /// Uses a <see cref="TimeoutCritic"/> as the critic port, with options read from <c>Executus:Critic:*</c> then
    /// <paramref name="configure"/>. Registers, with <c>TryAdd</c> so a host's own registration wins, the
    /// <see cref="IProgressReviewer"/> chosen by <c>Executus:Critic:Reviewer</c> (<c>Rules</c>, the default:
    /// <see cref="RuleBasedReviewer"/> with <c>Executus:Critic:Rules:*</c>; <c>Llm</c>: <see cref="LlmProgressReviewer"/>
    /// on the <c>LlmMeta</c> tier) and an <see cref="IEscalator"/>: a <see cref="DeliveryEscalator"/> over
    /// <see cref="CriticOptions.OperatorDelivery"/> or the container's <see cref="IDelivery"/> (no escalator when neither
    /// exists — runs still end escalated).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddCritic(this IExecutusBuilder builder, Action<CriticOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton(sp =>
        {
            CriticOptions options = CriticOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            options.Validate();
            return options;
        });
        services.TryAddSingleton<IProgressReviewer>(static sp =>
        {
            IConfigSource config = sp.GetRequiredService<IConfigSource>();
            string kind = config.GetString(CriticOptions.ConfigPrefix + "Reviewer", "Rules")!;
            if (string.Equals(kind, "Llm", StringComparison.OrdinalIgnoreCase))
            {
                return new LlmProgressReviewer(sp.GetRequiredService<LlmMeta>(), sp.GetService<IAudit>(), sp.GetService<TimeProvider>(), sp.GetService<ILogger<LlmProgressReviewer>>());
            }

            if (!string.Equals(kind, "Rules", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException(CriticOptions.ConfigPrefix + "Reviewer", kind, "Rules or Llm");
            }

            return RuleBasedReviewer.FromConfig(config);
        });
        services.TryAddSingleton(static sp =>
        {
            CriticOptions options = sp.GetRequiredService<CriticOptions>();
            IEscalator? escalator = sp.GetService<IEscalator>();
            if (escalator is null && (options.OperatorDelivery ?? sp.GetService<IDelivery>()) is { } delivery)
            {
                escalator = new DeliveryEscalator(delivery, options.EscalationDestination);
            }

            return new TimeoutCritic(
                sp.GetRequiredService<IProgressReviewer>(),
                escalator,
                options,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<TimeoutCritic>>());
        });
        builder.UseCritic(static sp => sp.GetRequiredService<TimeoutCritic>());
        return builder;
    }
}
