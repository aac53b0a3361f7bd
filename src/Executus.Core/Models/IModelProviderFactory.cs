namespace Executus.Models;

/// <summary>
/// Creates providers of one type on demand, for provider names that are only configured:
/// a reference to <c>local:qwen3</c> with <c>Executus:Providers:local:Type = openai</c> asks the factory whose
/// <see cref="Type"/> is <c>openai</c> to create the provider named <c>local</c> (which reads its own
/// <c>Executus:Providers:local:*</c> settings).
/// </summary>
public interface IModelProviderFactory
{
    /// <summary>Gets the provider type this factory creates, as written in <c>Executus:Providers:{name}:Type</c>.</summary>
    string Type { get; }

    /// <summary>Creates the provider called <paramref name="providerName"/>.</summary>
    /// <param name="providerName">The provider name used in model references.</param>
    /// <returns>The provider.</returns>
    IModelProvider Create(string providerName);
}
