using System.Net;
using Executus.Net;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Net;

public sealed class SsrfProtectionHandlerTests
{
    private static readonly IPAddress PublicAddress = IPAddress.Parse("93.184.216.34");

    // The first hop goes to a name that is allow-listed on purpose and resolves to the loopback test server.
    private static (SafeHttpClientFactory Factory, StubResolver Resolver) CreateFactory(Action<SsrfOptions>? configure = null, TimeProvider? time = null)
    {
        SsrfOptions options = new();
        options.AllowHosts.Add("first.test");
        options.AllowHosts.Add("second.test");
        configure?.Invoke(options);
        StubResolver resolver = new();
        resolver.Map("first.test", IPAddress.Loopback);
        resolver.Map("second.test", IPAddress.Loopback);
        return (new SafeHttpClientFactory(options, resolver, time), resolver);
    }

    [Fact]
    public async Task Allow_listed_first_hop_reaches_the_loopback_server()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("hello"));
        (SafeHttpClientFactory factory, _) = CreateFactory();
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            string body = await client.GetStringAsync(new Uri($"http://first.test:{server.Port}/"));

            Assert.Equal("hello", body);
        }
    }

    [Fact]
    public async Task Without_the_allow_list_the_loopback_server_is_refused_before_connecting()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("secret"));
        using SafeHttpClientFactory factory = new();
        using HttpClient client = factory.CreateClient();

        SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(() => client.GetStringAsync(new Uri($"http://127.0.0.1:{server.Port}/")));

        Assert.Equal(SsrfBlockReason.Loopback, ex.Decision.Reason);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/secret", SsrfBlockReason.Loopback)]
    [InlineData("http://0x7f.1:{port}/secret", SsrfBlockReason.Loopback)]
    [InlineData("http://169.254.169.254/latest/meta-data/", SsrfBlockReason.LinkLocal)]
    [InlineData("http://[::1]:{port}/secret", SsrfBlockReason.Loopback)]
    [InlineData("file:///etc/passwd", SsrfBlockReason.Scheme)]
    [InlineData("http://user@first.test:{port}/secret", SsrfBlockReason.UserInfo)]
    [InlineData("http://localhost:{port}/secret", SsrfBlockReason.InternalHostName)]
    public async Task Redirect_to_a_blocked_target_is_refused(string location, SsrfBlockReason expected)
    {
        // The blocked target is a live loopback server: the test proves it was never contacted.
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("secret"));
        string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using LoopbackHttpServer redirecting = new(r => r.Path == "/"
            ? LoopbackHttpServer.Redirect(location.Replace("{port}", port, StringComparison.Ordinal))
            : LoopbackHttpServer.Ok("secret"));
        (SafeHttpClientFactory factory, _) = CreateFactory();
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(
                () => client.GetStringAsync(new Uri($"http://first.test:{redirecting.Port}/")));

            Assert.Equal(expected, ex.Decision.Reason);
            Assert.Single(redirecting.Requests);
            Assert.Empty(server.Requests);
        }
    }

    [Fact]
    public async Task Dns_rebinding_is_caught_by_the_connect_check()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("secret"));
        (SafeHttpClientFactory factory, StubResolver resolver) = CreateFactory();
        // The pre-check sees a public address; by connect time the name points at loopback.
        resolver.MapSequence("rebind.test", call => call == 1 ? [PublicAddress] : [IPAddress.Loopback]);
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(
                () => client.GetStringAsync(new Uri($"http://rebind.test:{server.Port}/")));

            Assert.Equal(SsrfBlockReason.Loopback, ex.Decision.Reason);
            Assert.Equal(IPAddress.Loopback, ex.Decision.Address);
            Assert.Equal(2, resolver.CallsFor("rebind.test"));
            Assert.Empty(server.Requests);
        }
    }

    [Fact]
    public async Task Dns_rebinding_behind_an_allowed_first_hop_redirect_is_caught()
    {
        (SafeHttpClientFactory factory, StubResolver resolver) = CreateFactory();
        resolver.MapSequence("rebind.test", call => call == 1 ? [PublicAddress] : [IPAddress.Loopback]);
        await using LoopbackHttpServer server = new(r => r.Path == "/"
            ? LoopbackHttpServer.Redirect($"http://rebind.test:{r.Headers["Host"].Split(':')[1]}/secret")
            : LoopbackHttpServer.Ok("secret"));
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(
                () => client.GetStringAsync(new Uri($"http://first.test:{server.Port}/")));

            Assert.Equal(SsrfBlockReason.Loopback, ex.Decision.Reason);
            Assert.Equal(2, resolver.CallsFor("rebind.test"));
            Assert.Equal(["/"], server.Requests.Select(r => r.Path));
        }
    }

    [Fact]
    public async Task Allowed_redirects_are_followed_and_authorization_is_dropped_across_origins()
    {
        await using LoopbackHttpServer server = new(r => r.Path switch
        {
            "/" => LoopbackHttpServer.Redirect("/same"),
            "/same" => LoopbackHttpServer.Redirect($"http://second.test:{r.Headers["Host"].Split(':')[1]}/other", 307),
            _ => LoopbackHttpServer.Ok("done"),
        });
        (SafeHttpClientFactory factory, _) = CreateFactory();
        using (factory)
        {
            using HttpClient client = factory.CreateClient();
            using HttpRequestMessage request = new(HttpMethod.Get, new Uri($"http://first.test:{server.Port}/"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token");

            using HttpResponseMessage response = await client.SendAsync(request);

            Assert.Equal("done", await response.Content.ReadAsStringAsync());
            LoopbackRequest[] seen = [.. server.Requests];
            Assert.Equal(["/", "/same", "/other"], seen.Select(r => r.Path));
            Assert.True(seen[1].Headers.ContainsKey("Authorization"));
            Assert.False(seen[2].Headers.ContainsKey("Authorization"));
        }
    }

    [Fact]
    public async Task Redirect_loops_stop_at_the_cap()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Redirect("/again"));
        (SafeHttpClientFactory factory, _) = CreateFactory(o => o.MaxRedirects = 3);
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(
                () => client.GetStringAsync(new Uri($"http://first.test:{server.Port}/")));

            Assert.Equal(SsrfBlockReason.Redirect, ex.Decision.Reason);
            Assert.Contains("more than 3 redirects", ex.Message, StringComparison.Ordinal);
            Assert.Equal(4, server.Requests.Count);
        }
    }

    [Fact]
    public async Task A_declared_oversized_body_is_refused()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok(new string('x', 1000)));
        (SafeHttpClientFactory factory, _) = CreateFactory(o => o.MaxResponseBytes = 100);
        using (factory)
        {
            using HttpClient client = factory.CreateClient();

            Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync(new Uri($"http://first.test:{server.Port}/")));

            Assert.Contains(Chain(ex), e => e is ResponseTooLargeException { Limit: 100 });
        }
    }

    [Fact]
    public async Task An_undeclared_oversized_body_is_cut_off_while_streaming()
    {
        string body = new('y', 5000);
        await using LoopbackHttpServer server = new(_ => $"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{body}");
        (SafeHttpClientFactory factory, _) = CreateFactory(o => o.MaxResponseBytes = 1000);
        using (factory)
        {
            using HttpClient client = factory.CreateClient();
            using HttpResponseMessage response = await client.GetAsync(new Uri($"http://first.test:{server.Port}/"), HttpCompletionOption.ResponseHeadersRead);
            await using Stream stream = await response.Content.ReadAsStreamAsync();

            await Assert.ThrowsAsync<ResponseTooLargeException>(() => stream.CopyToAsync(Stream.Null));
        }
    }

    [Fact]
    public async Task The_total_time_cap_uses_the_time_provider()
    {
        FakeTimeProvider time = new();
        TaskCompletionSource received = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LoopbackHttpServer server = new(async _ =>
        {
            received.TrySetResult();
            await release.Task;
            return LoopbackHttpServer.Ok("late");
        });
        (SafeHttpClientFactory factory, _) = CreateFactory(o => o.Timeout = TimeSpan.FromSeconds(5), time);
        using (factory)
        {
            using HttpClient client = factory.CreateClient();
            Task<string> pending = client.GetStringAsync(new Uri($"http://first.test:{server.Port}/"));
            await received.Task;

            time.Advance(TimeSpan.FromSeconds(6));

            await Assert.ThrowsAsync<TimeoutException>(() => pending);
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Caller_cancellation_propagates()
    {
        TaskCompletionSource received = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await using LoopbackHttpServer server = new(async _ =>
        {
            received.TrySetResult();
            await release.Task;
            return LoopbackHttpServer.Ok("late");
        });
        (SafeHttpClientFactory factory, _) = CreateFactory();
        using (factory)
        {
            using HttpClient client = factory.CreateClient();
            using CancellationTokenSource cts = new();
            Task<string> pending = client.GetStringAsync(new Uri($"http://first.test:{server.Port}/"), cts.Token);
            await received.Task;

            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
            release.TrySetResult();
        }
    }

    private static IEnumerable<Exception> Chain(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
        }
    }
}
