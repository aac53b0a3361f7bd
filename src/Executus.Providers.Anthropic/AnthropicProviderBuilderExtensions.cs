using Executus;
using Executus.Configuration;
using Executus.Models;
using Executus.Providers;
using Executus.Providers.Anthropic;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Anthropic providers.</summary>
public static class AnthropicProviderBuilderExtensions
{
    /// <summary>
    /// Registers the provider <paramref name="name"/> (settings from <c>Executus:Providers:{name}:*</c>, then
    /// <paramref name="configure"/>), and the <c>anthropic</c> provider type, so any provider configured with
    /// <c>Executus:Providers:{other}:Type = anthropic</c> resolves too.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider name used in model references; <c>anthropic</c> by default.</param>
    /// <param name="configure">Changes to the options after configuration is read.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddAnthropicProvider(this IExecutusBuilder builder, string name = "anthropic", Action<AnthropicProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddSingleton<IModelProvider>(sp => new LazyModelProvider(name, () =>
        {
            AnthropicProviderOptions options = AnthropicModelProviderFactory.ReadOptions(sp.GetRequiredService<IConfigSource>(), name);
            configure?.Invoke(options);
            return new AnthropicModelProvider(name, options);
        }));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelProviderFactory, AnthropicModelProviderFactory>(
            sp => new AnthropicModelProviderFactory(sp.GetRequiredService<IConfigSource>())));
        return builder;
    }
}
