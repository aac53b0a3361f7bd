using Executus;
using Executus.Configuration;
using Executus.Models;
using Executus.Providers;
using Executus.Providers.Ollama;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ollama providers.</summary>
public static class OllamaProviderBuilderExtensions
{
    /// <summary>
    /// Registers the provider <paramref name="name"/> (settings from <c>Executus:Providers:{name}:*</c>, then
    /// <paramref name="configure"/>), and the <c>ollama</c> provider type, so any provider configured with
    /// <c>Executus:Providers:{other}:Type = ollama</c> resolves too.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider name used in model references; <c>ollama</c> by default.</param>
    /// <param name="configure">Changes to the options after configuration is read.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddOllamaProvider(this IExecutusBuilder builder, string name = "ollama", Action<OllamaProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddSingleton<IModelProvider>(sp => new LazyModelProvider(name, () =>
        {
            OllamaProviderOptions options = OllamaModelProviderFactory.ReadOptions(sp.GetRequiredService<IConfigSource>(), name);
            configure?.Invoke(options);
            return new OllamaModelProvider(name, options);
        }));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelProviderFactory, OllamaModelProviderFactory>(
            sp => new OllamaModelProviderFactory(sp.GetRequiredService<IConfigSource>())));
        return builder;
    }
}
