using Executus.Configuration;
using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Models;

public sealed class ModelTierResolverTests
{
    private static (ModelTierResolver Resolver, InMemoryConfigSource Config, Dictionary<string, ScriptedChatClient> Clients) Create(
        CollectingUsageSink? usage = null, CollectingTraceSink? trace = null)
    {
        var clients = new Dictionary<string, ScriptedChatClient>(StringComparer.Ordinal);
        var config = new InMemoryConfigSource();
        var registry = new ModelProviderRegistry(config: config);
        registry.Add("a", (model, _) => clients[$"a:{model}"] = new ScriptedChatClient(model));
        registry.Add("b", (model, _) => clients[$"b:{model}"] = new ScriptedChatClient(model));
        var resolver = new ModelTierResolver(registry, config, new ModelTierResolverOptions
        {
            UsageSink = (IUsageSink?)usage ?? NullUsageSink.Instance,
            TraceSink = (ITraceSink?)trace ?? NullTraceSink.Instance,
        });
        return (resolver, config, clients);
    }

    [Fact]
    public void Unknown_tier_is_a_typed_error_naming_the_tier_and_key()
    {
        var (resolver, _, _) = Create();
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("smart"));
        Assert.Equal(ModelResolutionError.UnknownTier, ex.Error);
        Assert.Equal("smart", ex.Tier);
        Assert.Contains("Executus:Models:Tiers:smart", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_tier_is_a_typed_error()
    {
        var (resolver, config, _) = Create();
        config.Set("Executus:Models:Tiers:smart", " , ");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("smart"));
        Assert.Equal(ModelResolutionError.EmptyTier, ex.Error);
        Assert.False(resolver.HasTier("smart"));
    }

    [Fact]
    public void Unknown_provider_is_a_typed_error_naming_tier_and_provider()
    {
        var (resolver, config, _) = Create();
        config.Set("Executus:Models:Tiers:smart", "a:m1, nope:m2");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("smart"));
        Assert.Equal(ModelResolutionError.UnknownProvider, ex.Error);
        Assert.Equal("smart", ex.Tier);
        Assert.Equal("nope", ex.Provider);
        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_candidate_is_a_typed_error()
    {
        var (resolver, config, _) = Create();
        config.Set("Executus:Models:Tiers:smart", "a:m1, m2");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("smart"));
        Assert.Equal(ModelResolutionError.MalformedReference, ex.Error);
        Assert.Equal("m2", ex.Reference);
    }

    [Fact]
    public void Configured_provider_type_without_a_factory_is_a_typed_error()
    {
        var (resolver, config, _) = Create();
        config.Set("Executus:Models:Tiers:smart", "local:m1");
        config.Set("Executus:Providers:local:Type", "openai");
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("smart"));
        Assert.Equal(ModelResolutionError.UnknownProvider, ex.Error);
        Assert.IsType<ConfigException>(ex.InnerException);
    }

    [Fact]
    public void Provider_failure_is_wrapped()
    {
        var registry = new ModelProviderRegistry().Add("bad", (_, _) => throw new InvalidOperationException("boom"));
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:t", "bad:x")]);
        using var resolver = new ModelTierResolver(registry, config);
        ModelResolutionException ex = Assert.Throws<ModelResolutionException>(() => resolver.ResolveTier("t"));
        Assert.Equal(ModelResolutionError.ProviderFailed, ex.Error);
        Assert.Contains("boom", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tier_is_read_at_resolve_time_and_calls_reach_the_first_candidate()
    {
        var (resolver, config, clients) = Create();
        config.Set("Executus:Models:Tiers:smart", "a:m1, b:m2");
        using (IChatClient client = resolver.ResolveTier("smart"))
        {
            clients["a:m1"].ReplyText("from a");
            Assert.Equal("from a", (await client.GetResponseAsync("hi")).Text);
        }

        config.Set("Executus:Models:Tiers:smart", "b:m2");
        using IChatClient changed = resolver.ResolveTier("smart");
        clients["b:m2"].ReplyText("from b");
        Assert.Equal("from b", (await changed.GetResponseAsync("hi")).Text);
        Assert.Equal(["b:m2"], resolver.GetCandidates("smart").Select(r => r.ToString()));
    }

    [Fact]
    public async Task Usage_and_trace_sinks_receive_every_call_with_context()
    {
        var usage = new CollectingUsageSink();
        var trace = new CollectingTraceSink();
        var (resolver, config, clients) = Create(usage, trace);
        config.Set("Executus:Models:Tiers:smart", "a:m1");
        using IChatClient client = resolver.Resolve("smart");
        clients["a:m1"].ReplyText("one", new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 }).ReplyStreaming("t", "wo");

        using (ModelCallContext.Begin(new ModelCallContext { Caller = new Executus.Identity.CallerIdentity("u1"), RunId = "run-7", Purpose = "run" }))
        {
            await client.GetResponseAsync("hi");
            await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync("hi"))
            {
            }
        }

        Assert.Equal(2, usage.Records.Count);
        UsageRecord first = usage.Records.First();
        Assert.Equal("m1", first.ModelId);
        Assert.Equal("a", first.Provider);
        Assert.Equal("smart", first.Tier);
        Assert.Equal("u1", first.Caller?.Id);
        Assert.Equal("run-7", first.RunId);
        Assert.Equal(10, first.Usage?.InputTokenCount);
        Assert.True(usage.Records.Last().Streaming);
        Assert.Equal(2, trace.Records.Count);
        Assert.All(trace.Records, r => Assert.Null(r.Error));
    }

    [Fact]
    public async Task Trace_sink_records_failures()
    {
        var trace = new CollectingTraceSink();
        var (resolver, config, clients) = Create(trace: trace);
        using IChatClient client = resolver.Resolve("a:m1");
        clients["a:m1"].ThrowHttp(System.Net.HttpStatusCode.Unauthorized);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));
        ModelTraceRecord record = Assert.Single(trace.Records);
        Assert.IsType<HttpRequestException>(record.Error);
    }

    [Fact]
    public void Resolved_candidates_carry_the_OpenTelemetry_client()
    {
        var (resolver, config, _) = Create();
        config.Set("Executus:Models:Tiers:smart", "a:m1");
        using IChatClient client = resolver.Resolve("smart");
        Assert.NotNull(client.GetService<OpenTelemetryChatClient>());
        Assert.NotNull(client.GetService<UsageRecordingChatClient>());
        Assert.NotNull(client.GetService<TraceRecordingChatClient>());
    }

    [Fact]
    public async Task Cooldown_comes_from_config_and_is_shared_across_resolves()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var clients = new Dictionary<string, ScriptedChatClient>(StringComparer.Ordinal);
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:smart", "a:m1, a:m2"), new("Executus:Models:Cooldown", "5s")]);
        var registry = new ModelProviderRegistry().Add("a", (model, _) => clients[model] = new ScriptedChatClient(model));
        using var resolver = new ModelTierResolver(registry, config, new ModelTierResolverOptions { TimeProvider = time });

        using (IChatClient first = resolver.Resolve("smart"))
        {
            clients["m1"].ThrowHttp(System.Net.HttpStatusCode.ServiceUnavailable);
            clients["m2"].ReplyText("m2").ReplyText("m2 again");
            Assert.Equal("m2", (await first.GetResponseAsync("1")).Text);
        }

        using (IChatClient second = resolver.Resolve("smart"))
        {
            Assert.Equal("m2 again", (await second.GetResponseAsync("2")).Text);
            Assert.Single(clients["m1"].Requests);
        }

        time.Advance(TimeSpan.FromSeconds(6));
        clients["m1"].ReplyText("m1 back");
        using IChatClient third = resolver.Resolve("smart");
        Assert.Equal("m1 back", (await third.GetResponseAsync("3")).Text);
    }

    [Theory]
    [InlineData(null, "back")]
    [InlineData("off", null)]
    public async Task A_single_model_tier_probes_after_one_503_unless_probing_is_off(string? probeInterval, string? second)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var clients = new Dictionary<string, ScriptedChatClient>(StringComparer.Ordinal);
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:solo", "a:m1")]);
        if (probeInterval is not null)
        {
            config.Set("Executus:Models:ProbeInterval", probeInterval);
        }

        var registry = new ModelProviderRegistry().Add("a", (model, _) => clients[model] = new ScriptedChatClient(model));
        using var resolver = new ModelTierResolver(registry, config, new ModelTierResolverOptions { TimeProvider = time });
        using IChatClient client = resolver.Resolve("solo");
        clients["m1"].ThrowHttp(System.Net.HttpStatusCode.ServiceUnavailable).ReplyText("back");

        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("run 1"));
        if (second is null)
        {
            await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("run 2"));
            Assert.Single(clients["m1"].Requests);
        }
        else
        {
            Assert.Equal(second, (await client.GetResponseAsync("run 2")).Text);
        }
    }
}
