using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>An <see cref="IModelProvider"/> backed by a factory delegate.</summary>
public sealed class DelegateModelProvider : IModelProvider
{
    private readonly Func<string, IServiceProvider?, IChatClient> _factory;

    /// <summary>Initializes a new provider.</summary>
    /// <param name="name">The provider name used in model references.</param>
    /// <param name="factory">Creates a client for a model id (the second argument is the service provider, if any).</param>
    public DelegateModelProvider(string name, Func<string, IServiceProvider?, IChatClient> factory)
    {
        ModelReference.ValidateProviderName(name);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        _factory = factory;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IChatClient CreateChatClient(string modelId, IServiceProvider? services)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return _factory(modelId, services)
            ?? throw new InvalidOperationException($"The factory of model provider '{Name}' returned null for model '{modelId}'.");
    }
}
