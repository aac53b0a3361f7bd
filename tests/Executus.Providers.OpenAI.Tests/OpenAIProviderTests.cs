using System.ClientModel;
using System.Collections.Concurrent;
using System.Text.Json;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Providers.OpenAI.Tests;

public sealed class OpenAIProviderTests : IDisposable
{
    private readonly LoopbackServer _server = new();
    private readonly InMemoryConfigSource _config = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly UsageSink _usage = new();
    private readonly ModelTierResolver _resolver;

    public OpenAIProviderTests()
    {
        _config.Set("Executus:Providers:local:Type", "openai");
        _config.Set("Executus:Providers:local:BaseUrl", _server.BaseUrl.ToString());
        _config.Set("Executus:Providers:local:ApiKey", "sk-test");
        var registry = new ModelProviderRegistry(factories: [new OpenAIModelProviderFactory(_config)], config: _config);
        _resolver = new ModelTierResolver(registry, _config, new ModelTierResolverOptions { TimeProvider = _time, UsageSink = _usage });
    }

    public void Dispose()
    {
        _resolver.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task Plain_text_answer_with_usage()
    {
        _server.Enqueue(200, Recorded.PlainText);
        using IChatClient client = _resolver.Resolve("local:gpt-test");
        ChatResponse response = await client.GetResponseAsync("Say hello");

        Assert.Equal("Hello from the loopback.", response.Text);
        Assert.Equal(14, response.Usage?.TotalTokenCount);
        RecordedRequest request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test", request.Authorization);
        using JsonDocument body = JsonDocument.Parse(request.Body);
        Assert.Equal("gpt-test", body.RootElement.GetProperty("model").GetString());
        UsageRecord usage = Assert.Single(_usage.Records);
        Assert.Equal("local", usage.Provider);
        Assert.Equal(9, usage.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Tool_call_round_trip()
    {
        _server.Enqueue(200, Recorded.ToolCall).Enqueue(200, Recorded.AfterTool);
        string? askedCity = null;
        AIFunction weather = AIFunctionFactory.Create((string city) => { askedCity = city; return "sunny"; }, "get_weather");
        using IChatClient client = new ChatClientBuilder(_resolver.Resolve("local:gpt-test")).UseFunctionInvocation().Build();

        ChatResponse response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] });

        Assert.Equal("It is sunny in Paris.", response.Text);
        Assert.Equal("Paris", askedCity);
        Assert.Equal(2, _server.Requests.Count);
        using JsonDocument second = JsonDocument.Parse(_server.Requests[1].Body);
        JsonElement toolMessage = second.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_abc", toolMessage.GetProperty("tool_call_id").GetString());
        Assert.Contains("sunny", toolMessage.GetProperty("content").ToString(), StringComparison.Ordinal);
        Assert.Equal(2, _usage.Records.Count);
    }

    [Fact]
    public async Task Streaming_over_server_sent_events()
    {
        _server.Enqueue(200, Recorded.Streaming, "text/event-stream");
        using IChatClient client = _resolver.Resolve("local:gpt-test");
        var chunks = new List<string>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Say hello"))
        {
            if (update.Text.Length > 0)
            {
                chunks.Add(update.Text);
            }
        }

        Assert.Equal(["Hel", "lo!"], chunks);
        using JsonDocument body = JsonDocument.Parse(Assert.Single(_server.Requests).Body);
        Assert.True(body.RootElement.GetProperty("stream").GetBoolean());
        UsageRecord usage = Assert.Single(_usage.Records);
        Assert.True(usage.Streaming);
        Assert.Equal(6, usage.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Rate_limit_with_retry_after_fails_over_to_the_next_candidate_without_sdk_retries()
    {
        _config.Set("Executus:Models:Tiers:smart", "local:model-a, local:model-b");
        _server.Enqueue(429, Recorded.RateLimited, headers: ("Retry-After", "30")).Enqueue(200, Recorded.PlainText);
        using ModelFailoverChatClient client = _resolver.ResolveTier("smart");

        ChatResponse response = await client.GetResponseAsync("hi");

        Assert.Equal("Hello from the loopback.", response.Text);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(["model-a", "model-b"], _server.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("model").GetString()));
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), client.Candidates[0].CooldownUntil);
    }

    [Fact]
    public async Task Unauthorized_does_not_fail_over()
    {
        _config.Set("Executus:Models:Tiers:smart", "local:model-a, local:model-b");
        _server.Enqueue(401, Recorded.Unauthorized).Enqueue(200, Recorded.PlainText);
        using IChatClient client = _resolver.ResolveTier("smart");

        ClientResultException ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(401, ex.Status);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void Malformed_base_url_is_a_config_error()
    {
        _config.Set("Executus:Providers:bad:BaseUrl", "ftp://example");
        ConfigException ex = Assert.Throws<ConfigException>(() => OpenAIModelProviderFactory.ReadOptions(_config, "bad"));
        Assert.Equal("Executus:Providers:bad:BaseUrl", ex.Key);
    }

    [Theory]
    [InlineData("0ms")]
    [InlineData("0s")]
    [InlineData("30d")]
    public void A_zero_or_too_long_network_timeout_names_the_configured_text(string raw)
    {
        _config.Set("Executus:Providers:slow:NetworkTimeout", raw);
        ConfigException ex = Assert.Throws<ConfigException>(() => OpenAIModelProviderFactory.ReadOptions(_config, "slow"));
        Assert.Equal("Executus:Providers:slow:NetworkTimeout", ex.Key);
        Assert.Equal(raw, ex.Value);
        Assert.Contains($"'{raw}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_without_a_type_shows_the_environment_spelling_and_the_valid_types()
    {
        _config.Set("Executus:Models:Tiers:default", "mystery:qwen3");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => _resolver.ResolveTier("default"));
        Assert.Equal(ModelResolutionError.UnknownProvider, ex.Error);
        Assert.Contains("'Executus:Providers:mystery:Type'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Executus__Providers__mystery__Type=openai", ex.Message, StringComparison.Ordinal);
        Assert.Contains("valid types: openai", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_under_a_base_url_without_v1_hints_at_the_missing_v1()
    {
        string root = _server.BaseUrl.GetLeftPart(UriPartial.Authority) + "/";
        _config.Set("Executus:Providers:nov1:Type", "openai");
        _config.Set("Executus:Providers:nov1:BaseUrl", root);
        _server.Enqueue(404, "404 page not found", "text/plain");
        using IChatClient client = _resolver.Resolve("nov1:qwen3");

        ClientResultException ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(404, ex.Status);
        Assert.Equal("/chat/completions", Assert.Single(_server.Requests).Path);
        Assert.Contains($"try BaseUrl '{root}v1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_under_a_base_url_with_v1_is_left_alone()
    {
        _server.Enqueue(404, """{"error":{"message":"The model 'nope' does not exist","type":"invalid_request_error"}}""");
        using IChatClient client = _resolver.Resolve("local:nope");

        ClientResultException ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi"));

        Assert.Equal(404, ex.Status);
        Assert.DoesNotContain("Hint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_key_and_url_fails_the_resolution_naming_the_key()
    {
        _config.Set("Executus:Providers:nokey:Type", "openai");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => _resolver.Resolve("nokey:gpt"));
        Assert.Contains("Executus:Providers:nokey:ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenAIProvider_registers_the_named_provider_and_the_openai_type()
    {
        _server.Enqueue(200, Recorded.PlainText).Enqueue(200, Recorded.PlainText);
        var config = new InMemoryConfigSource(
        [
            new("Executus:Providers:openai:BaseUrl", _server.BaseUrl.ToString()),
            new("Executus:Providers:other:Type", "openai"),
            new("Executus:Providers:other:BaseUrl", _server.BaseUrl.ToString()),
            new("Executus:Models:Tiers:fast", "openai:m1"),
        ]);
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus().UseConfigSource(config).AddOpenAIProvider(configure: o => o.ApiKey = "sk-code");
        using ServiceProvider services = collection.BuildServiceProvider();
        ModelTierResolver resolver = services.GetRequiredService<ModelTierResolver>();

        using IChatClient fast = resolver.Resolve("fast");
        await fast.GetResponseAsync("x");
        using IChatClient other = resolver.Resolve("other:m2");
        await other.GetResponseAsync("y");

        Assert.Equal("Bearer sk-code", _server.Requests[0].Authorization);
        Assert.Equal("Bearer no-key", _server.Requests[1].Authorization);
    }

    private sealed class UsageSink : IUsageSink
    {
        public ConcurrentQueue<UsageRecord> Records { get; } = new();

        public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            Records.Enqueue(record);
            return ValueTask.CompletedTask;
        }
    }
}
