using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Providers.AzureOpenAI.Tests;

public sealed class AzureOpenAIProviderTests : IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly AzureOpenAIWireFormat _wire = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Requests_use_the_deployments_path_the_api_version_and_the_api_key_header()
    {
        _server.Enqueue(_wire.Text("my-gpt4o", "hi", 1, 1), _wire.Text("other", "hi", 1, 1));
        var config = new InMemoryConfigSource(
        [
            new("Executus:Providers:azure:Endpoint", _server.BaseAddress.ToString()),
            new("Executus:Providers:azure:ApiKey", "azure-key"),
            new("Executus:Providers:preview:Type", "azure-openai"),
            new("Executus:Providers:preview:Endpoint", _server.BaseAddress.ToString()),
            new("Executus:Providers:preview:ApiKey", "azure-key-2"),
            new("Executus:Providers:preview:ApiVersion", "2025-01-01-preview"),
        ]);
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).AddAzureOpenAIProvider();
        using ServiceProvider provider = services.BuildServiceProvider();
        ModelTierResolver resolver = provider.GetRequiredService<ModelTierResolver>();

        using IChatClient azure = resolver.Resolve("azure:my-gpt4o");
        await azure.GetResponseAsync("x");
        using IChatClient preview = resolver.Resolve("preview:other");
        await preview.GetResponseAsync("y");

        Assert.Equal("/openai/deployments/my-gpt4o/chat/completions", _server.Requests[0].Path);
        Assert.Equal("?api-version=2024-10-21", _server.Requests[0].Query);
        Assert.Equal("azure-key", _server.Requests[0].Header("api-key"));
        Assert.Equal("/openai/deployments/other/chat/completions", _server.Requests[1].Path);
        Assert.Equal("?api-version=2025-01-01-preview", _server.Requests[1].Query);
        Assert.Equal("azure-key-2", _server.Requests[1].Header("api-key"));
    }

    [Fact]
    public void Missing_or_malformed_settings_name_the_key()
    {
        var config = new InMemoryConfigSource(
        [
            new("Executus:Providers:a:ApiVersion", "latest"),
            new("Executus:Providers:b:Endpoint", "my-resource"),
            new("Executus:Providers:c:ApiKey", "k"),
            new("Executus:Providers:d:Endpoint", "https://x.openai.azure.com/"),
        ]);
        Assert.Equal("Executus:Providers:a:ApiVersion", Assert.Throws<ConfigException>(() => AzureOpenAIModelProviderFactory.ReadOptions(config, "a")).Key);
        Assert.Equal("Executus:Providers:b:Endpoint", Assert.Throws<ConfigException>(() => AzureOpenAIModelProviderFactory.ReadOptions(config, "b")).Key);
        var factory = new AzureOpenAIModelProviderFactory(config);
        Assert.Equal("Executus:Providers:c:Endpoint", Assert.Throws<ConfigException>(() => factory.Create("c")).Key);
        Assert.Equal("Executus:Providers:d:ApiKey", Assert.Throws<ConfigException>(() => factory.Create("d")).Key);
    }
}
