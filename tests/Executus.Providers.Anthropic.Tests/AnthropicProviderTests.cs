using System.Text.Json;
using Executus.Configuration;
using Executus.Models;
using Executus.Testing.Conformance;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Providers.Anthropic.Tests;

public sealed class AnthropicProviderTests : IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly AnthropicMessagesWireFormat _wire = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AddAnthropicProvider_registers_the_provider_sends_the_key_and_max_tokens()
    {
        _server.Enqueue(_wire.Text("claude-test", "hello", 3, 1));
        var config = new InMemoryConfigSource(
        [
            new("Executus:Providers:anthropic:BaseUrl", _server.BaseAddress.ToString()),
            new("Executus:Providers:anthropic:ApiKey", "sk-ant-123"),
            new("Executus:Providers:anthropic:MaxOutputTokens", "777"),
            new("Executus:Models:Tiers:smart", "anthropic:claude-test"),
        ]);
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).AddAnthropicProvider();
        using ServiceProvider provider = services.BuildServiceProvider();

        using IChatClient smart = provider.GetRequiredService<ModelTierResolver>().Resolve("smart");
        Assert.Equal("hello", (await smart.GetResponseAsync("hi")).Text);

        RecordedRequest request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/messages", request.Path);
        Assert.True(request.Header("x-api-key") == "sk-ant-123" || request.Header("Authorization") == "Bearer sk-ant-123", "the key is sent");
        Assert.NotNull(request.Header("anthropic-version"));
        using JsonDocument body = JsonDocument.Parse(request.Body);
        Assert.Equal(777, body.RootElement.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Overloaded_529_is_transient()
    {
        _server.Enqueue(_wire.ErrorResponse(529, "Overloaded"));
        var provider = new AnthropicModelProvider("a", new AnthropicProviderOptions { BaseUrl = _server.BaseAddress, ApiKey = "k" });
        using IChatClient client = provider.CreateChatClient("claude-test", null);

        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi"));

        Assert.True(DefaultTransientErrorClassifier.Instance.IsTransient(ex), ex.GetType().FullName);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void A_missing_key_fails_the_resolution_naming_the_key()
    {
        var config = new InMemoryConfigSource([new("Executus:Providers:claude:Type", "anthropic")]);
        var registry = new ModelProviderRegistry(factories: [new AnthropicModelProviderFactory(config)], config: config);
        using var resolver = new ModelTierResolver(registry, config);
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.Resolve("claude:claude-test"));
        Assert.Contains("Executus:Providers:claude:ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_settings_are_config_errors_naming_the_key()
    {
        var config = new InMemoryConfigSource([new("Executus:Providers:a:MaxOutputTokens", "0"), new("Executus:Providers:b:BaseUrl", "api.anthropic.com")]);
        Assert.Equal("Executus:Providers:a:MaxOutputTokens", Assert.Throws<ConfigException>(() => AnthropicModelProviderFactory.ReadOptions(config, "a")).Key);
        Assert.Equal("Executus:Providers:b:BaseUrl", Assert.Throws<ConfigException>(() => AnthropicModelProviderFactory.ReadOptions(config, "b")).Key);
    }

    [Theory]
    [InlineData("-5s")]
    [InlineData("0s")]
    [InlineData("30d")]
    public void A_network_timeout_HttpClient_cannot_take_is_a_config_error_quoting_the_value(string raw)
    {
        // Why: the reader used to accept 30 days (HttpClient then throws at first use) and quoted "0" for any
        // non-positive value instead of what the operator wrote.
        var config = new InMemoryConfigSource([new("Executus:Providers:a:NetworkTimeout", raw)]);
        ConfigException ex = Assert.Throws<ConfigException>(() => AnthropicModelProviderFactory.ReadOptions(config, "a"));
        Assert.Equal("Executus:Providers:a:NetworkTimeout", ex.Key);
        Assert.Equal(raw, ex.Value);
    }
}
