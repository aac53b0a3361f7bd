using System.Net;
using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Models;

public sealed class FailoverChatClientTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedChatClient _first = new("first");
    private readonly ScriptedChatClient _second = new("second");

    private ModelFailoverChatClient Create(TimeSpan? cooldown = null, params FailoverCandidate[] candidates) =>
        new(candidates.Length > 0 ? candidates : [new("p:first", _first), new("p:second", _second)],
            new FailoverOptions { TimeProvider = _time, Cooldown = cooldown ?? TimeSpan.FromSeconds(30), Tier = "smart" });

    public static TheoryData<Exception> TransientErrors() => new()
    {
        new TimeoutException(),
        new TaskCanceledException("HttpClient.Timeout elapsed"),
        new HttpRequestException("429", null, HttpStatusCode.TooManyRequests),
        new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable),
        new HttpRequestException("500", null, HttpStatusCode.InternalServerError),
        new HttpRequestException("connection refused"),
        new FakeClientResultException(429),
        new FakeClientResultException(502),
        new InvalidOperationException("wrapped", new TimeoutException()),
    };

    public static TheoryData<Exception> PermanentErrors() => new()
    {
        new HttpRequestException("400", null, HttpStatusCode.BadRequest),
        new HttpRequestException("401", null, HttpStatusCode.Unauthorized),
        new HttpRequestException("403", null, HttpStatusCode.Forbidden),
        new FakeClientResultException(400),
        new InvalidOperationException("content filter"),
        new ArgumentException("bad"),
    };

    [Theory]
    [MemberData(nameof(TransientErrors))]
    public async Task Transient_errors_fail_over_to_the_next_candidate(Exception error)
    {
        _first.Throw(error);
        _second.ReplyText("ok");
        using ModelFailoverChatClient client = Create();
        ChatResponse response = await client.GetResponseAsync("hi");
        Assert.Equal("ok", response.Text);
        Assert.Single(_second.Requests);
    }

    [Theory]
    [MemberData(nameof(PermanentErrors))]
    public async Task Permanent_errors_surface_at_once(Exception error)
    {
        _first.Throw(error);
        using ModelFailoverChatClient client = Create();
        Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi"));
        Assert.Same(error, thrown);
        Assert.Empty(_second.Requests);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_failed_over()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        _first.ReplyText("never");
        using ModelFailoverChatClient client = Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
        Assert.Empty(_second.Requests);
    }

    [Fact]
    public async Task Failed_candidate_cools_down_then_returns()
    {
        using ModelFailoverChatClient client = Create(TimeSpan.FromSeconds(30));
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable);
        _second.ReplyText("b1").ReplyText("b2");
        Assert.Equal("b1", (await client.GetResponseAsync("1")).Text);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("b2", (await client.GetResponseAsync("2")).Text);
        Assert.Single(_first.Requests);

        _time.Advance(TimeSpan.FromSeconds(2));
        _first.ReplyText("a");
        Assert.Equal("a", (await client.GetResponseAsync("3")).Text);
    }

    [Fact]
    public async Task Retry_after_sets_the_cooldown()
    {
        using ModelFailoverChatClient client = Create(TimeSpan.FromSeconds(5));
        _first.ThrowHttp(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(120));
        _second.ReplyText("b1").ReplyText("b2");
        await client.GetResponseAsync("1");
        Assert.Equal(_time.GetUtcNow().AddSeconds(120), client.Candidates[0].CooldownUntil);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("b2", (await client.GetResponseAsync("2")).Text);
        Assert.Single(_first.Requests);
    }

    [Fact]
    public async Task All_candidates_failing_or_cooling_gives_a_typed_error()
    {
        using ModelFailoverChatClient client = Create();
        _first.ThrowHttp(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(10));
        _second.ThrowHttp(HttpStatusCode.BadGateway);
        ModelUnavailableException ex = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("1"));
        Assert.Equal(2, ex.Failures.Count);
        Assert.Equal("smart", ex.Tier);
        Assert.Equal(TimeSpan.FromSeconds(10), ex.RetryAfter);

        // Every candidate is cooling: the first asked the server's Retry-After (kept), the second is probed and fails.
        _second.ThrowHttp(HttpStatusCode.BadGateway);
        ModelUnavailableException probed = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("2"));
        Assert.Equal(["p:first"], probed.Skipped);
        Assert.Equal("p:second", Assert.Single(probed.Failures).Key);

        // Within the probe interval nothing is tried.
        ModelUnavailableException cooling = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("3"));
        Assert.Equal(["p:first", "p:second"], cooling.Skipped);
        Assert.Empty(cooling.Failures);
        Assert.Single(_first.Requests);
        Assert.Equal(2, _second.Requests.Count);
    }

    [Fact]
    public async Task A_single_model_tier_recovers_on_the_next_call_after_one_transient_error()
    {
        using ModelFailoverChatClient client = Create(candidates: [new FailoverCandidate("p:only", _first)]);
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable).ReplyText("back").ReplyText("normal");

        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("1"));
        Assert.NotNull(client.Candidates[0].CooldownUntil);

        Assert.Equal("back", (await client.GetResponseAsync("2")).Text);
        Assert.Null(client.Candidates[0].CooldownUntil);
        Assert.Equal("normal", (await client.GetResponseAsync("3")).Text);
        Assert.Equal(3, _first.Requests.Count);
    }

    [Fact]
    public async Task A_streaming_probe_that_succeeds_ends_the_cooldown()
    {
        using ModelFailoverChatClient client = Create(candidates: [new FailoverCandidate("p:only", _first)]);
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable).ReplyStreaming("a", "b");
        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("1"));

        var text = new List<string>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("2"))
        {
            text.Add(update.Text);
        }

        Assert.Equal(["a", "b"], text);
        Assert.Null(client.Candidates[0].CooldownUntil);
    }

    [Fact]
    public async Task Probing_is_one_per_interval_and_can_be_turned_off()
    {
        using var client = new ModelFailoverChatClient(
            [new FailoverCandidate("p:only", _first)],
            new FailoverOptions { TimeProvider = _time, ProbeInterval = TimeSpan.FromSeconds(5) });
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable).ThrowHttp(HttpStatusCode.ServiceUnavailable).ReplyText("ok");
        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("1"));
        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("2 probe fails"));
        _time.Advance(TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<ModelUnavailableException>(() => client.GetResponseAsync("3 no probe yet"));
        Assert.Equal(2, _first.Requests.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ok", (await client.GetResponseAsync("4 probe")).Text);

        var other = new ScriptedChatClient().ThrowHttp(HttpStatusCode.ServiceUnavailable);
        using var noProbe = new ModelFailoverChatClient(
            [new FailoverCandidate("p:other", other)], new FailoverOptions { TimeProvider = _time, ProbeInterval = null });
        await Assert.ThrowsAsync<ModelUnavailableException>(() => noProbe.GetResponseAsync("1"));
        ModelUnavailableException refused = await Assert.ThrowsAsync<ModelUnavailableException>(() => noProbe.GetResponseAsync("2"));
        Assert.Equal(["p:other"], refused.Skipped);
        Assert.Single(other.Requests);
    }

    [Fact]
    public async Task A_huge_retry_after_under_an_unbounded_cap_saturates_and_fails_over()
    {
        var huge = new HttpRequestException("429", null, HttpStatusCode.TooManyRequests);
        huge.Data[DefaultTransientErrorClassifier.RetryAfterDataKey] = "999999999999999";
        _first.Throw(huge);
        _second.ReplyText("from second");
        using var client = new ModelFailoverChatClient(
            [new("p:first", _first), new("p:second", _second)],
            new FailoverOptions { TimeProvider = _time, MaxRetryAfter = TimeSpan.MaxValue });

        Assert.Equal("from second", (await client.GetResponseAsync("hi")).Text);
        Assert.Equal(DateTimeOffset.MaxValue, client.Candidates[0].CooldownUntil);
        Assert.True(client.Candidates[0].IsCoolingDown(_time.GetUtcNow()));
    }

    [Fact]
    public async Task Streaming_fails_over_before_the_first_update()
    {
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable);
        _second.ReplyStreaming("he", "llo");
        using ModelFailoverChatClient client = Create();
        var text = new List<string>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            text.Add(update.Text);
        }

        Assert.Equal(["he", "llo"], text);
    }

    [Fact]
    public async Task Streaming_never_fails_over_after_an_update_reached_the_caller()
    {
        _first.Throw(new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable), afterUpdates: 1);
        _second.ReplyStreaming("never");
        using ModelFailoverChatClient client = Create();
        var seen = new List<string>();
        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
            {
                seen.Add(update.Text);
            }
        });
        Assert.Single(seen);
        Assert.Empty(_second.Requests);
    }

    [Fact]
    public async Task Cooldown_is_shared_between_candidates_that_share_state()
    {
        var a = new FailoverCandidate("p:first", _first);
        var aInOtherTier = new FailoverCandidate("p:first", _first, sharesCooldownWith: a);
        using ModelFailoverChatClient one = Create(null, a, new FailoverCandidate("p:second", _second));
        _first.ThrowHttp(HttpStatusCode.ServiceUnavailable);
        _second.ReplyText("b");
        await one.GetResponseAsync("1");
        Assert.True(aInOtherTier.IsCoolingDown(_time.GetUtcNow()));
    }

    [Fact]
    public void Retry_after_parses_seconds_and_http_dates()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), DefaultTransientErrorClassifier.ParseRetryAfter("7", _time));
        Assert.Equal(TimeSpan.FromSeconds(90), DefaultTransientErrorClassifier.ParseRetryAfter(_time.GetUtcNow().AddSeconds(90).ToString("R"), _time));
        Assert.Null(DefaultTransientErrorClassifier.ParseRetryAfter("soon", _time));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData((HttpStatusCode)529, true)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    public void Exceptions_with_an_HttpStatusCode_StatusCode_property_are_classified_by_it(HttpStatusCode status, bool transient) =>
        Assert.Equal(transient, DefaultTransientErrorClassifier.Instance.IsTransient(new FakeVendorApiException(status)));

    /// <summary>Shaped like Anthropic's AnthropicApiException: a public HttpStatusCode StatusCode property.</summary>
    private sealed class FakeVendorApiException(HttpStatusCode status) : Exception($"Status: {status}")
    {
        public HttpStatusCode StatusCode { get; } = status;
    }

    /// <summary>Shaped like System.ClientModel.ClientResultException: a public int Status property.</summary>
    private sealed class FakeClientResultException(int status) : Exception($"Service request failed. Status: {status}")
    {
        public int Status { get; } = status;
    }
}
