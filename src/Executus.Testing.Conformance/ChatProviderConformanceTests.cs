using System.Collections.Concurrent;
using System.Text.Json;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Executus.Testing.Conformance;

/// <summary>
/// The provider conformance suite: derive one sealed class per provider, say how to configure it against the
/// <see cref="LoopbackHttpServer"/> and which <see cref="ProviderWireFormat"/> it speaks, and xunit runs every check
/// against the provider's real SDK over loopback HTTP.
/// </summary>
/// <remarks>
/// Checked: plain text; streamed text; a tool call and its result round trip; a streamed tool call assembling into one
/// <see cref="FunctionCallContent"/>; usage reaching the <see cref="IUsageSink"/>; 429 with <c>Retry-After</c>
/// (transient, fails over, cool-down from the header); 500 (transient, fails over); 401 (not transient, no failover);
/// a malformed body (an exception, not a silent empty answer); a timeout (transient, fails over). Transience is judged
/// by <see cref="DefaultTransientErrorClassifier"/> as <see cref="ModelFailoverChatClient"/> uses it.
/// </remarks>
public abstract class ChatProviderConformanceTests : IDisposable
{
    /// <summary>The provider name the suite configures.</summary>
    protected const string ProviderName = "conformance";

    /// <summary>The network timeout the suite configures, short enough for the timeout check.</summary>
    protected static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(2);

    private readonly ModelTierResolver _resolver;
    private bool _disposed;

    /// <summary>Starts the loopback server and builds a resolver over the provider's factory.</summary>
    protected ChatProviderConformanceTests()
    {
        Config.Set("Executus:Providers:" + ProviderName + ":Type", ProviderType);
        ConfigureProvider(Config, ProviderName, Server.BaseAddress);
        var registry = new ModelProviderRegistry(factories: [CreateFactory(Config)], config: Config);
        _resolver = new ModelTierResolver(registry, Config, new ModelTierResolverOptions { TimeProvider = Time, UsageSink = Usage });
    }

    /// <summary>Gets the loopback server.</summary>
    protected LoopbackHttpServer Server { get; } = new();

    /// <summary>Gets the configuration the provider reads.</summary>
    protected InMemoryConfigSource Config { get; } = new();

    /// <summary>Gets the clock of the failover client (cool-downs).</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Gets the usage records.</summary>
    protected ConcurrentQueue<UsageRecord> UsageRecords { get; } = new();

    /// <summary>Gets the provider type (<c>Executus:Providers:{name}:Type</c>).</summary>
    protected abstract string ProviderType { get; }

    /// <summary>Gets the wire format the provider speaks.</summary>
    protected abstract ProviderWireFormat Wire { get; }

    private IUsageSink Usage => new QueueUsageSink(UsageRecords);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Plain text comes back with its usage, which reaches the usage sink.</summary>
    [Fact]
    public async Task Plain_text_with_usage()
    {
        Server.Enqueue(Wire.Text("model-a", "Hello from the loopback.", 9, 5));
        using IChatClient client = _resolver.Resolve(ProviderName + ":model-a");

        ChatResponse response = await client.GetResponseAsync("Say hello").ConfigureAwait(false);

        Assert.Equal("Hello from the loopback.", response.Text);
        Assert.Equal(9, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        RecordedRequest request = Assert.Single(Server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(Wire.ChatPath("model-a"), request.Path);
        Assert.Equal("model-a", Wire.RequestedModel(request));
        UsageRecord usage = Assert.Single(UsageRecords);
        Assert.Equal(ProviderName, usage.Provider);
        Assert.False(usage.Streaming);
        Assert.Equal(9, usage.Usage?.InputTokenCount);
        Assert.Equal(5, usage.Usage?.OutputTokenCount);
    }

    /// <summary>Streamed text arrives in pieces; usage reported at the end reaches the sink.</summary>
    [Fact]
    public async Task Streaming_text_with_usage()
    {
        Server.Enqueue(Wire.StreamingText("model-a", ["Hel", "lo", "!"], 4, 3));
        using IChatClient client = _resolver.Resolve(ProviderName + ":model-a");
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Say hello").ConfigureAwait(false))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hel", "lo", "!"], updates.Select(u => u.Text).Where(t => t.Length > 0));
        ChatResponse response = updates.ToChatResponse();
        Assert.Equal("Hello!", response.Text);
        using JsonDocument body = JsonDocument.Parse(Assert.Single(Server.Requests).Body);
        Assert.True(Wire.IsStreaming(body.RootElement));
        UsageRecord usage = Assert.Single(UsageRecords);
        Assert.True(usage.Streaming);
        Assert.Equal(4, usage.Usage?.InputTokenCount);
        Assert.Equal(3, usage.Usage?.OutputTokenCount);
    }

    /// <summary>A tool call is invoked and its result goes back to the model in the vendor's format.</summary>
    [Fact]
    public async Task Tool_call_and_result_round_trip()
    {
        Server.Enqueue(
            Wire.ToolCall("model-a", "call_1", "get_weather", """{"city":"Paris"}""", 20, 8),
            Wire.Text("model-a", "It is sunny in Paris.", 30, 7));
        string? askedCity = null;
        AIFunction weather = AIFunctionFactory.Create((string city) => { askedCity = city; return "sunny"; }, "get_weather", "Gets the weather of a city.");
        using IChatClient client = new ChatClientBuilder(_resolver.Resolve(ProviderName + ":model-a")).UseFunctionInvocation().Build();

        ChatResponse response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] }).ConfigureAwait(false);

        Assert.Equal("It is sunny in Paris.", response.Messages[^1].Text);
        Assert.Equal("Paris", askedCity);
        Assert.Equal(2, Server.Requests.Count);
        using JsonDocument second = JsonDocument.Parse(Server.Requests[1].Body);
        (string? callId, string result) = Assert.Single(Wire.ToolResults(second.RootElement));
        Assert.Contains("sunny", result, StringComparison.Ordinal);
        if (callId is not null)
        {
            Assert.Equal("call_1", callId);
        }

        Assert.Equal(2, UsageRecords.Count);
        Assert.Equal(50, UsageRecords.Sum(r => r.Usage?.InputTokenCount ?? 0));
    }

    /// <summary>A streamed tool call (arguments in fragments where the vendor streams them so) assembles into one call.</summary>
    [Fact]
    public async Task Streamed_tool_call_assembles()
    {
        Server.Enqueue(Wire.StreamingToolCall("model-a", "call_7", "get_weather", ["{\"ci", "ty\":\"Par", "is\",\"days\":3}"], 11, 6));
        AIFunction weather = AIFunctionFactory.Create((string city, int days) => "sunny", "get_weather");
        using IChatClient client = _resolver.Resolve(ProviderName + ":model-a");
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("Weather?", new ChatOptions { Tools = [weather] }).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        ChatResponse response = updates.ToChatResponse();
        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.NotNull(call.Arguments);
        Assert.Equal("Paris", call.Arguments["city"]?.ToString());
        Assert.Equal("3", call.Arguments["days"]?.ToString());
        UsageRecord usage = Assert.Single(UsageRecords);
        Assert.Equal(11, usage.Usage?.InputTokenCount);
        Assert.Equal(6, usage.Usage?.OutputTokenCount);
    }

    /// <summary>429 with <c>Retry-After</c> is transient: the tier fails over and the candidate cools down for the header's time.</summary>
    [Fact]
    public async Task Rate_limit_with_retry_after_fails_over_and_cools_down()
    {
        Config.Set("Executus:Models:Tiers:smart", $"{ProviderName}:model-a, {ProviderName}:model-b");
        Server.Enqueue(Wire.ErrorResponse(429, "Rate limit reached").WithHeader("Retry-After", "30"), Wire.Text("model-b", "from b", 1, 1));
        using ModelFailoverChatClient client = _resolver.ResolveTier("smart");

        ChatResponse response = await client.GetResponseAsync("hi").ConfigureAwait(false);

        Assert.Equal("from b", response.Text);
        Assert.Equal(["model-a", "model-b"], Server.Requests.Select(Wire.RequestedModel));
        Assert.Equal(Time.GetUtcNow().AddSeconds(30), client.Candidates[0].CooldownUntil);
    }

    /// <summary>A 429 on its own is classified transient, with the server's <c>Retry-After</c>.</summary>
    [Fact]
    public async Task Rate_limit_is_classified_transient_with_its_retry_after()
    {
        Server.Enqueue(Wire.ErrorResponse(429, "Rate limit reached").WithHeader("Retry-After", "17"));
        Exception ex = await CallAndCatchAsync().ConfigureAwait(false);

        Assert.True(DefaultTransientErrorClassifier.Instance.IsTransient(ex), Describe(ex));
        Assert.Equal(TimeSpan.FromSeconds(17), DefaultTransientErrorClassifier.Instance.GetRetryAfter(ex, Time));
    }

    /// <summary>500 is transient: the tier fails over.</summary>
    [Fact]
    public async Task Server_error_is_transient_and_fails_over()
    {
        Config.Set("Executus:Models:Tiers:smart", $"{ProviderName}:model-a, {ProviderName}:model-b");
        Server.Enqueue(Wire.ErrorResponse(500, "Internal server error"), Wire.Text("model-b", "from b", 1, 1));
        using ModelFailoverChatClient client = _resolver.ResolveTier("smart");

        ChatResponse response = await client.GetResponseAsync("hi").ConfigureAwait(false);

        Assert.Equal("from b", response.Text);
        Assert.Equal(2, Server.Requests.Count);
        Assert.True(client.Candidates[0].IsCoolingDown(Time.GetUtcNow()));
    }

    /// <summary>401 is not transient: it surfaces at once, without trying the next candidate.</summary>
    [Fact]
    public async Task Unauthorized_is_not_transient_and_does_not_fail_over()
    {
        Config.Set("Executus:Models:Tiers:smart", $"{ProviderName}:model-a, {ProviderName}:model-b");
        Server.Enqueue(Wire.ErrorResponse(401, "Invalid API key"), Wire.Text("model-b", "from b", 1, 1));
        using ModelFailoverChatClient client = _resolver.ResolveTier("smart");

        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi")).ConfigureAwait(false);

        Assert.False(DefaultTransientErrorClassifier.Instance.IsTransient(ex), Describe(ex));
        Assert.Single(Server.Requests);
        Assert.False(client.Candidates[0].IsCoolingDown(Time.GetUtcNow()));
    }

    /// <summary>A malformed body fails the call (never a silent empty answer) and is not transient.</summary>
    [Fact]
    public async Task Malformed_body_fails_the_call()
    {
        Server.Enqueue(Wire.Malformed());
        Exception ex = await CallAndCatchAsync().ConfigureAwait(false);

        Assert.IsNotType<OperationCanceledException>(ex, exactMatch: false);
        Assert.False(DefaultTransientErrorClassifier.Instance.IsTransient(ex), Describe(ex));
    }

    /// <summary>A server that never answers times out; the timeout is transient and the tier fails over.</summary>
    [Fact]
    public async Task Timeout_is_transient_and_fails_over()
    {
        Config.Set("Executus:Models:Tiers:smart", $"{ProviderName}:model-a, {ProviderName}:model-b");
        Server.Enqueue(CannedResponse.NoAnswer, Wire.Text("model-b", "from b", 1, 1));
        using ModelFailoverChatClient client = _resolver.ResolveTier("smart");

        ChatResponse response = await client.GetResponseAsync("hi").ConfigureAwait(false);

        Assert.Equal("from b", response.Text);
        Assert.Equal(["model-a", "model-b"], Server.Requests.Select(Wire.RequestedModel));
        Assert.True(client.Candidates[0].IsCoolingDown(Time.GetUtcNow()));
    }

    /// <summary>Creates the provider factory under test.</summary>
    /// <param name="config">The configuration it reads.</param>
    /// <returns>The factory.</returns>
    protected abstract IModelProviderFactory CreateFactory(IConfigSource config);

    /// <summary>
    /// Points provider <paramref name="providerName"/> at the loopback server: address, a test key, and
    /// <see cref="NetworkTimeout"/> as its request timeout.
    /// </summary>
    /// <param name="config">The configuration to fill.</param>
    /// <param name="providerName">The provider name.</param>
    /// <param name="serverAddress">The loopback server's address.</param>
    protected abstract void ConfigureProvider(InMemoryConfigSource config, string providerName, Uri serverAddress);

    /// <summary>Disposes the resolver and the server.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            _resolver.Dispose();
            Server.Dispose();
        }
    }

    private static string Describe(Exception ex) => ex.GetType().FullName + ": " + ex.Message;

    private async Task<Exception> CallAndCatchAsync()
    {
        using IChatClient client = _resolver.Resolve(ProviderName + ":model-a");
        return await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi")).ConfigureAwait(false);
    }

    private sealed class QueueUsageSink(ConcurrentQueue<UsageRecord> records) : IUsageSink
    {
        public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            records.Enqueue(record);
            return ValueTask.CompletedTask;
        }
    }
}
