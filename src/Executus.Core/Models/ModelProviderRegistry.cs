using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Executus.Configuration;

namespace Executus.Models;

/// <summary>
/// Maps provider names (case-insensitive) to <see cref="IModelProvider"/>s. A name that was not registered is looked up
/// in configuration: <c>Executus:Providers:{name}:Type</c> names an <see cref="IModelProviderFactory"/> that creates the
/// provider on first use (then it is kept for the life of the registry).
/// </summary>
/// <remarks>This type is thread-safe.</remarks>
public sealed class ModelProviderRegistry
{
    /// <summary>The prefix of per-provider configuration keys: <c>Executus:Providers:{name}:…</c>.</summary>
    public const string ProvidersPrefix = "Executus:Providers:";

    private readonly ConcurrentDictionary<string, IModelProvider> _providers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IModelProviderFactory> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly IConfigSource? _config;

    /// <summary>Initializes a new registry.</summary>
    /// <param name="providers">Providers registered up front; a later one with the same name replaces an earlier one.</param>
    /// <param name="factories">Factories for configured provider types.</param>
    /// <param name="config">Where <c>Executus:Providers:{name}:Type</c> is read; without it only registered providers resolve.</param>
    public ModelProviderRegistry(
        IEnumerable<IModelProvider>? providers = null, IEnumerable<IModelProviderFactory>? factories = null, IConfigSource? config = null)
    {
        foreach (IModelProvider provider in providers ?? [])
        {
            Add(provider);
        }

        foreach (IModelProviderFactory factory in factories ?? [])
        {
            AddFactory(factory);
        }

        _config = config;
    }

    /// <summary>Gets the names of the providers registered or created so far.</summary>
    public IReadOnlyCollection<string> Names => [.. _providers.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Gets the provider types that have a registered factory (the valid values of <c>Executus:Providers:{name}:Type</c>).</summary>
    public IReadOnlyCollection<string> FactoryTypes => [.. _factories.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Registers <paramref name="provider"/>, replacing any provider of the same name.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>This registry.</returns>
    public ModelProviderRegistry Add(IModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ModelReference.ValidateProviderName(provider.Name);
        _providers[provider.Name] = provider;
        return this;
    }

    /// <summary>Registers a provider backed by <paramref name="factory"/>, replacing any provider of the same name.</summary>
    /// <param name="name">The provider name.</param>
    /// <param name="factory">Creates a client for a model id.</param>
    /// <returns>This registry.</returns>
    public ModelProviderRegistry Add(string name, Func<string, IServiceProvider?, Microsoft.Extensions.AI.IChatClient> factory) =>
        Add(new DelegateModelProvider(name, factory));

    /// <summary>Registers a factory for configured providers of <see cref="IModelProviderFactory.Type"/>.</summary>
    /// <param name="factory">The factory.</param>
    /// <returns>This registry.</returns>
    public ModelProviderRegistry AddFactory(IModelProviderFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(factory.Type);
        _factories[factory.Type] = factory;
        return this;
    }

    /// <summary>Finds the provider called <paramref name="name"/>, creating it from configuration when needed.</summary>
    /// <param name="name">The provider name.</param>
    /// <param name="provider">The provider when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    /// <exception cref="ConfigException">The provider's configured type has no registered factory.</exception>
    public bool TryGet(string name, [NotNullWhen(true)] out IModelProvider? provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_providers.TryGetValue(name, out provider))
        {
            return true;
        }

        string typeKey = ProvidersPrefix + name + ":Type";
        string? type = _config?.GetString(typeKey);
        if (type is null)
        {
            return false;
        }

        if (!_factories.TryGetValue(type, out IModelProviderFactory? factory))
        {
            string known = _factories.IsEmpty ? "none is registered" : "registered: " + string.Join(", ", FactoryTypes);
            throw new ConfigException(typeKey, type, $"a provider type with a registered factory ({known})");
        }

        // Why: GetOrAdd may run the factory twice under a race; both results are equivalent and one is kept.
        provider = _providers.GetOrAdd(name, n => factory.Create(n));
        return true;
    }
}
