using System.Collections.Concurrent;
using System.Diagnostics;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Models;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Models;

public sealed class ModelsServiceCollectionExtensionsTests
{
    [Fact]
    public void AddExecutus_registers_every_models_and_compaction_default()
    {
        using ServiceProvider services = new ServiceCollection().AddExecutus().Services.BuildServiceProvider();
        Assert.Same(NullUsageSink.Instance, services.GetRequiredService<IUsageSink>());
        Assert.Same(NullTraceSink.Instance, services.GetRequiredService<ITraceSink>());
        Assert.Same(DefaultTransientErrorClassifier.Instance, services.GetRequiredService<ITransientErrorClassifier>());
        Assert.Same(EstimatingTokenCounter.Instance, services.GetRequiredService<ITokenCounter>());
        Assert.IsType<TokenBudgetCompactor>(services.GetRequiredService<ICompactor>());
        Assert.NotNull(services.GetRequiredService<LlmMeta>());
    }

    [Fact]
    public async Task Registered_provider_and_usage_sink_are_used_by_resolved_tiers()
    {
        var sink = new CollectingUsageSink();
        var model = new ScriptedChatClient("m").ReplyText("hi");
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:smart", "scripted:m")]);
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus()
            .UseConfigSource(config)
            .AddModelProvider("scripted", (_, _) => model)
            .UseUsageSink(sink);
        using ServiceProvider services = collection.BuildServiceProvider();

        using IChatClient client = services.GetRequiredService<ModelTierResolver>().Resolve("smart");
        Assert.Equal("hi", (await client.GetResponseAsync("x")).Text);
        Assert.Equal("smart", Assert.Single(sink.Records).Tier);
    }

    private static ServiceProvider Build(ScriptedChatClient model, params KeyValuePair<string, string?>[] settings)
    {
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:smart", "scripted:m"), .. settings]);
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus().UseConfigSource(config).AddModelProvider("scripted", (_, _) => model);
        return collection.BuildServiceProvider();
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void The_sensitive_data_key_turns_content_capture_on_or_off(string value, bool expected)
    {
        using ServiceProvider services = Build(new ScriptedChatClient("m"), new KeyValuePair<string, string?>("Executus:Telemetry:EnableSensitiveData", value));
        using IChatClient client = services.GetRequiredService<ModelTierResolver>().Resolve("smart");
        Assert.Equal(expected, client.GetService<OpenTelemetryChatClient>()!.EnableSensitiveData);
    }

    [Fact]
    public void Without_the_key_the_MEAI_default_and_its_environment_variable_stay_in_force()
    {
        using ServiceProvider services = Build(new ScriptedChatClient("m"));
        using IChatClient client = services.GetRequiredService<ModelTierResolver>().Resolve("smart");
        using var untouched = new OpenTelemetryChatClient(new ScriptedChatClient("x"));
        Assert.Equal(untouched.EnableSensitiveData, client.GetService<OpenTelemetryChatClient>()!.EnableSensitiveData);
        Assert.Null(new ModelTierResolverOptions().EnableSensitiveData);
    }

    [Fact]
    public void A_malformed_sensitive_data_key_is_a_config_error()
    {
        using ServiceProvider services = Build(new ScriptedChatClient("m"), new KeyValuePair<string, string?>("Executus:Telemetry:EnableSensitiveData", "maybe"));
        ConfigException ex = Assert.Throws<ConfigException>(() => services.GetRequiredService<ModelTierResolver>());
        Assert.Equal("Executus:Telemetry:EnableSensitiveData", ex.Key);
    }

    [Fact]
    public async Task UseChatClient_emits_OpenTelemetry_chat_spans_like_tier_resolution()
    {
        var chats = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Experimental.Microsoft.Extensions.AI",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = chats.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var model = new ScriptedChatClient("fixed-model").ReplyText("done");
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([new("Executus:Telemetry:EnableSensitiveData", "true")]))
            .UseChatClient(model);
        using ServiceProvider services = collection.BuildServiceProvider();

        RunResult result = await services.GetRequiredService<Executor>().RunAsync(new RunRequest(new RunnableAgent("fixed-otel-agent"), "marker-prompt-7731"));

        Assert.Equal("done", result.Text);
        Activity chat = Assert.Single(chats, a => a.DisplayName == "chat fixed-model");
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Contains("marker-prompt-7731", chat.GetTagItem("gen_ai.input.messages")?.ToString() ?? "", StringComparison.Ordinal);
        Assert.True(services.GetRequiredService<IAgentModelResolver>().Resolve(new RunnableAgent("x")).GetService<OpenTelemetryChatClient>()!.EnableSensitiveData);
    }

    [Fact]
    public void UseChatClient_does_not_wrap_a_client_that_already_has_OpenTelemetry()
    {
        using IChatClient model = new ChatClientBuilder(new ScriptedChatClient()).UseOpenTelemetry().Build();
        IServiceCollection collection = new ServiceCollection();
        collection.AddExecutus().UseChatClient(model);
        using ServiceProvider services = collection.BuildServiceProvider();
        // Why: the accounting decorator wraps every fixed client; the OpenTelemetry layer inside must be the caller's own.
        IChatClient resolved = services.GetRequiredService<IAgentModelResolver>().Resolve(new RunnableAgent("x"));
        Assert.Same(model, resolved.GetService<OpenTelemetryChatClient>());
    }
}
