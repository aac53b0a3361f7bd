using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;

namespace Executus.Providers.AzureOpenAI.Tests;

/// <summary>The provider conformance suite against the Azure OpenAI provider and Azure's deployments wire format.</summary>
public sealed class AzureOpenAIConformanceTests : ChatProviderConformanceTests
{
    protected override string ProviderType => AzureOpenAIModelProviderFactory.TypeName;

    protected override ProviderWireFormat Wire { get; } = new AzureOpenAIWireFormat();

    protected override IModelProviderFactory CreateFactory(IConfigSource config) => new AzureOpenAIModelProviderFactory(config);

    protected override void ConfigureProvider(InMemoryConfigSource config, string providerName, Uri serverAddress)
    {
        config.Set($"Executus:Providers:{providerName}:Endpoint", serverAddress.ToString());
        config.Set($"Executus:Providers:{providerName}:ApiKey", "azure-key");
        config.Set($"Executus:Providers:{providerName}:NetworkTimeout", "2s");
    }
}
