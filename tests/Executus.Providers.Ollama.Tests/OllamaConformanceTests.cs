using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;

namespace Executus.Providers.Ollama.Tests;

/// <summary>The provider conformance suite against the Ollama provider and Ollama's native /api/chat wire format.</summary>
public sealed class OllamaConformanceTests : ChatProviderConformanceTests
{
    protected override string ProviderType => OllamaModelProviderFactory.TypeName;

    protected override ProviderWireFormat Wire { get; } = new OllamaChatWireFormat();

    protected override IModelProviderFactory CreateFactory(IConfigSource config) => new OllamaModelProviderFactory(config);

    protected override void ConfigureProvider(InMemoryConfigSource config, string providerName, Uri serverAddress)
    {
        config.Set($"Executus:Providers:{providerName}:BaseUrl", serverAddress.ToString());
        config.Set($"Executus:Providers:{providerName}:NetworkTimeout", "2s");
    }
}
