using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Providers;

/// <summary>
/// Defers building a provider until a model of it is first requested, so a missing API key fails the resolution that
/// needs it (as a <see cref="ModelResolutionException"/>), not the application's start.
/// </summary>
internal sealed class LazyModelProvider(string name, Func<IModelProvider> factory) : IModelProvider
{
    private readonly Lazy<IModelProvider> _provider = new(factory, LazyThreadSafetyMode.ExecutionAndPublication);

    public string Name { get; } = name;

    public IChatClient CreateChatClient(string modelId, IServiceProvider? services) => _provider.Value.CreateChatClient(modelId, services);
}
