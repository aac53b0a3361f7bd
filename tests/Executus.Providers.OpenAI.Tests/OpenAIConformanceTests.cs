using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;

namespace Executus.Providers.OpenAI.Tests;

/// <summary>The provider conformance suite against the OpenAI provider and OpenAI's Chat Completions wire format.</summary>
public sealed class OpenAIConformanceTests : ChatProviderConformanceTests
{
    protected override string ProviderType => OpenAIModelProviderFactory.TypeName;

    protected override ProviderWireFormat Wire { get; } = new OpenAIChatCompletionsWireFormat();

    protected override IModelProviderFactory CreateFactory(IConfigSource config) => new OpenAIModelProviderFactory(config);

    protected override void ConfigureProvider(InMemoryConfigSource config, string providerName, Uri serverAddress)
    {
        config.Set($"Executus:Providers:{providerName}:BaseUrl", new Uri(serverAddress, "v1/").ToString());
        config.Set($"Executus:Providers:{providerName}:ApiKey", "sk-test");
        config.Set($"Executus:Providers:{providerName}:NetworkTimeout", "2s");
    }
}
