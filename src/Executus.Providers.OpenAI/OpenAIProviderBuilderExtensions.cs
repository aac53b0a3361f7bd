using Executus;
using Executus.Configuration;
using Executus.Models;
using Executus.Providers;
using Executus.Providers.OpenAI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OpenAI and OpenAI-compatible providers.</summary>
public static class OpenAIProviderBuilderExtensions
{
    /// <summary>
    /// Registers the provider <paramref name="name"/> (settings from <c>Executus:Providers:{name}:*</c>, then
    /// <paramref name="configure"/>), and the <c>openai</c> provider type, so any provider configured with
    /// <c>Executus:Providers:{other}:Type = openai</c> resolves too.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider name used in model references; <c>openai</c> by default.</param>
    /// <param name="configure">Changes to the options after configuration is read.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddOpenAIProvider(this IExecutusBuilder builder, string name = "openai", Action<OpenAIProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddSingleton<IModelProvider>(sp =>
        {
            OpenAIProviderOptions options = OpenAIModelProviderFactory.ReadOptions(sp.GetRequiredService<IConfigSource>(), name);
            configure?.Invoke(options);
            return new LazyModelProvider(name, () => new OpenAIModelProvider(name, options));
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelProviderFactory, OpenAIModelProviderFactory>(
            sp => new OpenAIModelProviderFactory(sp.GetRequiredService<IConfigSource>())));
        return builder;
    }
}
