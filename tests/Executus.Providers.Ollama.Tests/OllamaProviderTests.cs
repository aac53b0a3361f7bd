using System.Net;
using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Providers.Ollama.Tests;

public sealed class OllamaProviderTests : IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly OllamaChatWireFormat _wire = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AddOllamaProvider_registers_the_named_provider_and_the_ollama_type()
    {
        _server.Enqueue(_wire.Text("llama3.2", "one", 1, 1), _wire.Text("qwen3", "two", 1, 1));
        var config = new InMemoryConfigSource(
        [
            new("Executus:Providers:ollama:BaseUrl", _server.BaseAddress.ToString()),
            new("Executus:Providers:gpu:Type", "ollama"),
            new("Executus:Providers:gpu:BaseUrl", _server.BaseAddress.ToString()),
            new("Executus:Providers:gpu:ApiKey", "proxy-key"),
            new("Executus:Models:Tiers:fast", "ollama:llama3.2"),
        ]);
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).AddOllamaProvider();
        using ServiceProvider provider = services.BuildServiceProvider();
        ModelTierResolver resolver = provider.GetRequiredService<ModelTierResolver>();

        using IChatClient fast = resolver.Resolve("fast");
        Assert.Equal("one", (await fast.GetResponseAsync("x")).Text);
        using IChatClient gpu = resolver.Resolve("gpu:qwen3");
        Assert.Equal("two", (await gpu.GetResponseAsync("y")).Text);

        Assert.Null(_server.Requests[0].Header("Authorization"));
        Assert.Equal("Bearer proxy-key", _server.Requests[1].Header("Authorization"));
        Assert.All(_server.Requests, r => Assert.Equal("/api/chat", r.Path));
    }

    [Fact]
    public async Task Errors_carry_the_status_and_ollamas_message()
    {
        _server.Enqueue(_wire.ErrorResponse(404, "model \"nope\" not found, try pulling it first"));
        var provider = new OllamaModelProvider("o", new OllamaProviderOptions { BaseUrl = _server.BaseAddress });
        using IChatClient client = provider.CreateChatClient("nope", null);

        HttpRequestException ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("try pulling it first", ex.Message, StringComparison.Ordinal);
        Assert.False(DefaultTransientErrorClassifier.Instance.IsTransient(ex));
    }

    [Fact]
    public void Bad_settings_are_config_errors_naming_the_key()
    {
        var config = new InMemoryConfigSource([new("Executus:Providers:o:BaseUrl", "localhost:11434"), new("Executus:Providers:p:NetworkTimeout", "soon")]);
        Assert.Equal("Executus:Providers:o:BaseUrl", Assert.Throws<ConfigException>(() => OllamaModelProviderFactory.ReadOptions(config, "o")).Key);
        Assert.Equal("Executus:Providers:p:NetworkTimeout", Assert.Throws<ConfigException>(() => OllamaModelProviderFactory.ReadOptions(config, "p")).Key);
        Assert.Equal(OllamaProviderOptions.DefaultBaseUrl, OllamaModelProviderFactory.ReadOptions(config, "q").BaseUrl);
    }

    [Fact]
    public async Task Disposing_one_models_client_leaves_the_shared_connection_usable()
    {
        var provider = new OllamaModelProvider("o", new OllamaProviderOptions { BaseUrl = _server.BaseAddress });
        provider.CreateChatClient("a", null).Dispose();
        _server.Enqueue(_wire.Text("b", "still works", 1, 1));
        using IChatClient b = provider.CreateChatClient("b", null);
        Assert.Equal("still works", (await b.GetResponseAsync("x")).Text);
    }
}
