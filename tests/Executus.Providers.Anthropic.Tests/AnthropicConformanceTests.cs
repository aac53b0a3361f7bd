using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;

namespace Executus.Providers.Anthropic.Tests;

/// <summary>The provider conformance suite against the Anthropic provider and the Messages API wire format.</summary>
public sealed class AnthropicConformanceTests : ChatProviderConformanceTests
{
    protected override string ProviderType => AnthropicModelProviderFactory.TypeName;

    protected override ProviderWireFormat Wire { get; } = new AnthropicMessagesWireFormat();

    protected override IModelProviderFactory CreateFactory(IConfigSource config) => new AnthropicModelProviderFactory(config);

    protected override void ConfigureProvider(InMemoryConfigSource config, string providerName, Uri serverAddress)
    {
        config.Set($"Executus:Providers:{providerName}:BaseUrl", serverAddress.ToString());
        config.Set($"Executus:Providers:{providerName}:ApiKey", "sk-ant-test");
        config.Set($"Executus:Providers:{providerName}:NetworkTimeout", "2s");
    }
}
