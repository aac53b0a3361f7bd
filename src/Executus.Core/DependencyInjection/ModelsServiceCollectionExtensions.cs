using Executus;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers model providers and swaps the defaults of the models and compaction seams.</summary>
public static class ModelsServiceCollectionExtensions
{
    /// <summary>Registers a provider backed by <paramref name="factory"/> under <paramref name="name"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="factory">Creates a client for a model id.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddModelProvider(this IExecutusBuilder builder, string name, Func<string, IServiceProvider?, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddModelProvider(new DelegateModelProvider(name, factory));
    }

    /// <summary>Registers <paramref name="provider"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddModelProvider(this IExecutusBuilder builder, IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.AddSingleton(provider);
        return builder;
    }

    /// <summary>Registers a factory for providers configured with <c>Executus:Providers:{name}:Type</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">The factory.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddModelProviderFactory(this IExecutusBuilder builder, IModelProviderFactory factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Uses <paramref name="sink"/> for usage records, replacing the no-op default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseUsageSink(this IExecutusBuilder builder, IUsageSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.Replace(ServiceDescriptor.Singleton(sink));
        return builder;
    }

    /// <summary>Uses <paramref name="sink"/> for call traces, replacing the no-op default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseTraceSink(this IExecutusBuilder builder, ITraceSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.Replace(ServiceDescriptor.Singleton(sink));
        return builder;
    }

    /// <summary>Uses <paramref name="classifier"/> to decide which failures fail over, replacing the default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="classifier">The classifier.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseTransientErrorClassifier(this IExecutusBuilder builder, ITransientErrorClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(classifier);
        builder.Services.Replace(ServiceDescriptor.Singleton(classifier));
        return builder;
    }

    /// <summary>Uses <paramref name="counter"/> to count tokens for compaction, replacing the estimate.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="counter">The counter.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseTokenCounter(this IExecutusBuilder builder, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(counter);
        builder.Services.Replace(ServiceDescriptor.Singleton(counter));
        return builder;
    }

    /// <summary>Uses <paramref name="compactor"/>, replacing <see cref="TokenBudgetCompactor"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="compactor">The compactor.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCompactor(this IExecutusBuilder builder, ICompactor compactor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(compactor);
        builder.Services.Replace(ServiceDescriptor.Singleton(compactor));
        return builder;
    }

    /// <summary>The key that turns message contents in model telemetry on or off; absent, M.E.AI's default applies.</summary>
    internal const string SensitiveDataKey = "Executus:Telemetry:EnableSensitiveData";

    /// <summary>
    /// Reads <c>Executus:Telemetry:EnableSensitiveData</c>: null when absent, so M.E.AI's own default (the
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> environment variable) stays in force.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The setting, or null.</returns>
    internal static bool? ReadSensitiveData(IConfigSource config) =>
        config.GetString(SensitiveDataKey) is null ? null : config.GetBool(SensitiveDataKey, defaultValue: false);

    /// <summary>
    /// Wraps a fixed client in M.E.AI's OpenTelemetry client as tier resolution does (unless it already has one), so
    /// <c>UseChatClient(model)</c> emits the same GenAI chat spans.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="services">The services.</param>
    /// <returns>The decorated client.</returns>
    internal static IChatClient WithOpenTelemetry(IChatClient client, IServiceProvider services)
    {
        if (client.GetService<OpenTelemetryChatClient>() is not null)
        {
            return client;
        }

        bool? sensitive = ReadSensitiveData(services.GetRequiredService<IConfigSource>());
        return new ChatClientBuilder(client)
            .UseOpenTelemetry(services.GetService<ILoggerFactory>(), sourceName: null, otel =>
            {
                if (sensitive is { } value)
                {
                    otel.EnableSensitiveData = value;
                }
            })
            .Build(services);
    }

    /// <summary>Registers the defaults of the models and compaction seams with <c>TryAdd</c>; called by <c>AddExecutus</c>.</summary>
    /// <param name="services">The services.</param>
    internal static void TryAddModelDefaults(IServiceCollection services)
    {
        services.TryAddSingleton<IUsageSink>(NullUsageSink.Instance);
        services.TryAddSingleton<ITraceSink>(NullTraceSink.Instance);
        services.TryAddSingleton<ITransientErrorClassifier>(DefaultTransientErrorClassifier.Instance);
        services.TryAddSingleton(static sp => new ModelProviderRegistry(
            sp.GetServices<IModelProvider>(), sp.GetServices<IModelProviderFactory>(), sp.GetRequiredService<IConfigSource>()));
        services.TryAddSingleton(static sp => new ModelTierResolver(
            sp.GetRequiredService<ModelProviderRegistry>(),
            sp.GetRequiredService<IConfigSource>(),
            new ModelTierResolverOptions
            {
                UsageSink = sp.GetRequiredService<IUsageSink>(),
                TraceSink = sp.GetRequiredService<ITraceSink>(),
                Classifier = sp.GetRequiredService<ITransientErrorClassifier>(),
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                Services = sp,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
                EnableSensitiveData = ReadSensitiveData(sp.GetRequiredService<IConfigSource>()),
            }));
        services.TryAddSingleton(static sp => new LlmMeta(sp.GetRequiredService<ModelTierResolver>(), sp.GetRequiredService<IConfigSource>()));
        services.TryAddSingleton<ITokenCounter>(EstimatingTokenCounter.Instance);
        services.TryAddSingleton<ICompactor>(static sp => new TokenBudgetCompactor(
            sp.GetRequiredService<IConfigSource>(), sp.GetRequiredService<ITokenCounter>(), sp.GetRequiredService<LlmMeta>(), sp.GetService<ILoggerFactory>()));
    }
}
