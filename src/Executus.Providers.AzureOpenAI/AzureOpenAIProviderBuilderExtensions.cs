using Executus;
using Executus.Configuration;
using Executus.Models;
using Executus.Providers;
using Executus.Providers.AzureOpenAI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Azure OpenAI providers.</summary>
public static class AzureOpenAIProviderBuilderExtensions
{
    /// <summary>
    /// Registers the provider <paramref name="name"/> (settings from <c>Executus:Providers:{name}:*</c>, then
    /// <paramref name="configure"/>), and the <c>azure-openai</c> provider type, so any provider configured with
    /// <c>Executus:Providers:{other}:Type = azure-openai</c> resolves too.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The provider name used in model references; <c>azure</c> by default.</param>
    /// <param name="configure">Changes to the options after configuration is read.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddAzureOpenAIProvider(this IExecutusBuilder builder, string name = "azure", Action<AzureOpenAIProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddSingleton<IModelProvider>(sp => new LazyModelProvider(name, () =>
        {
            AzureOpenAIProviderOptions options = AzureOpenAIModelProviderFactory.ReadOptions(sp.GetRequiredService<IConfigSource>(), name);
            configure?.Invoke(options);
            return new AzureOpenAIModelProvider(name, options);
        }));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelProviderFactory, AzureOpenAIModelProviderFactory>(
            sp => new AzureOpenAIModelProviderFactory(sp.GetRequiredService<IConfigSource>())));
        return builder;
    }
}
