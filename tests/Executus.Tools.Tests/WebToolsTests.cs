using System.Text;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Tools.Tests;

public class WebToolsTests
{
    private const string Page = """
        <!DOCTYPE html>
        <html><head><title>The  Page</title><style>body { color: red; }</style><script>var secret = 1;</script></head>
        <body>
          <nav><a href="/home">Home</a> <a href="/about">About</a></nav>
          <h1>Main   heading</h1>
          <p>First paragraph with a <a href="/docs/intro">relative link</a>.</p>
          <script>alert('no');</script>
          <h2>List</h2>
          <ul><li>one</li><li>two <b>bold</b></li></ul>
          <p hidden>invisible</p>
          <noscript>enable js</noscript>
        </body></html>
        """;

    [Fact]
    public async Task Html_becomes_readable_text_without_scripts_styles_or_navigation()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/html; charset=utf-8", Page));
        using ServiceProvider provider = Host.Build();

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/page"));

        Assert.Contains($"URL: {server.Url("/page")}", text, StringComparison.Ordinal);
        Assert.Contains("Status: 200 OK", text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/html", text, StringComparison.Ordinal);
        Assert.Contains("# The Page", text, StringComparison.Ordinal);
        Assert.Contains("\n# Main heading\n", text, StringComparison.Ordinal);
        Assert.Contains("## List", text, StringComparison.Ordinal);
        Assert.Contains($"First paragraph with a relative link ({server.Url("/docs/intro")}).", text, StringComparison.Ordinal);
        Assert.Contains("## List\n\n- one\n- two bold", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", text, StringComparison.Ordinal);
        Assert.DoesNotContain("color", text, StringComparison.Ordinal);
        Assert.DoesNotContain("About", text, StringComparison.Ordinal);
        Assert.DoesNotContain("invisible", text, StringComparison.Ordinal);
        Assert.DoesNotContain("enable js", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain", "just  some\ntext")]
    [InlineData("application/json", "{\"a\": [1, 2]}")]
    [InlineData("application/problem+json", "{\"title\": \"x\"}")]
    public async Task Text_and_json_pass_through_unchanged(string contentType, string body)
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, contentType, body));
        using ServiceProvider provider = Host.Build();

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/data"));

        Assert.EndsWith("\n\n" + body, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_text_is_cut_at_maxChars_with_a_visible_marker()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", new string('a', 500)));
        using ServiceProvider provider = Host.Build(tools: o => { o.WebDefaultMaxChars = 1_000; o.WebMaxChars = 1_000; });

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/long"), maxChars: 100);

        Assert.Contains("\n\n" + new string('a', 100) + "\n\n[truncated: showing the first 100 of 500 characters; ask again with a larger maxChars (up to 1000)]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('a', 101), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_maxChars_a_model_asks_for_is_capped_by_the_host()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", new string('a', 500)));
        using ServiceProvider provider = Host.Build(tools: o => { o.WebDefaultMaxChars = 50; o.WebMaxChars = 200; });
        WebTools web = provider.GetRequiredService<WebTools>();

        Assert.Contains("showing the first 50 of 500 characters", await web.FetchAsync(server.Url("/")), StringComparison.Ordinal);
        string capped = await web.FetchAsync(server.Url("/"), maxChars: 10_000);
        Assert.Contains("[truncated: showing the first 200 of 500 characters]", capped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_byte_cap_is_cut_with_a_marker()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", Encoding.UTF8.GetBytes(new string('b', 100_000))));
        using ServiceProvider provider = Host.Build(tools: o => o.WebMaxBytes = 1_000);

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/big"), maxChars: 5_000);

        Assert.Contains(new string('b', 1_000), text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('b', 1_001), text, StringComparison.Ordinal);
        Assert.EndsWith("[truncated: the response is larger than 1000 bytes; only the first 1000 bytes were read]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_safe_clients_own_byte_cap_cuts_a_body_of_unknown_length_instead_of_failing()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", Encoding.UTF8.GetBytes(new string('c', 50_000)))
        {
            OmitContentLength = true,
        });
        using ServiceProvider provider = Host.Build(builder: b => b.ConfigureSsrf(o => o.MaxResponseBytes = 10_000));

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/big"), maxChars: 100_000);

        Assert.Contains("[truncated: the response is larger than", text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('c', 10_001), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_length_over_the_safe_clients_cap_is_a_readable_error()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", Encoding.UTF8.GetBytes(new string('c', 50_000))));
        using ServiceProvider provider = Host.Build(builder: b => b.ConfigureSsrf(o => o.MaxResponseBytes = 10_000));

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/big")));

        Assert.Contains("is too large", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_content_is_a_readable_error()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "image/png", [1, 2, 3]));
        using ServiceProvider provider = Host.Build();

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/img")));
        Assert.Contains("'image/png', which is not text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_errors_come_back_with_their_status()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(404, "text/plain", "nothing here") { Reason = "Not Found" });
        using ServiceProvider provider = Host.Build();

        string text = await provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/missing"));
        Assert.Contains("Status: 404 Not Found", text, StringComparison.Ordinal);
        Assert.EndsWith("nothing here", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the URL is empty")]
    [InlineData("not a url", "is not an absolute URL")]
    [InlineData("file:///etc/passwd", "the scheme 'file' is not allowed")]
    [InlineData("http://user:pw@public.example/", "user information")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://localhost/", "reserved for the local machine")]
    [InlineData("http://0x7f.2/", "loopback")]
    public async Task Bad_or_internal_urls_are_refused_before_any_network(string url, string expected)
    {
        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync(url));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loopback_address_that_is_not_allow_listed_is_refused()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", "secret"));
        using ServiceProvider provider = Host.Build(allowLoopback: false);

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/")));

        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Another_loopback_address_outside_the_allow_list_is_refused()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", "secret"));
        using ServiceProvider provider = Host.Build();

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync($"http://127.0.0.2:{server.Port}/"));

        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task A_name_resolving_to_a_private_address_is_refused()
    {
        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync("http://intranet.example/wiki"));
        Assert.Contains("private-network", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_an_internal_address_is_refused()
    {
        await using var server = new LoopbackServer((_, path) => path == "/go"
            ? new LoopbackResponse(302, "text/plain", string.Empty) { Reason = "Found", Headers = [("Location", "http://10.0.0.7/admin")] }
            : new LoopbackResponse(200, "text/plain", "fine"));
        using ServiceProvider provider = Host.Build();

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/go")));

        Assert.Contains("was blocked", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.0.7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_hits_the_time_cap()
    {
        var gate = new TaskCompletionSource<LoopbackResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new LoopbackServer((_, _) =>
        {
            arrived.TrySetResult();
            return gate.Task;
        });
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using ServiceProvider provider = Host.Build(services: s => s.AddSingleton<TimeProvider>(time), tools: o => o.WebTimeout = TimeSpan.FromSeconds(5));

        Task<string> fetch = provider.GetRequiredService<WebTools>().FetchAsync(server.Url("/slow"));
        await arrived.Task;
        time.Advance(TimeSpan.FromSeconds(6));

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => fetch);
        Assert.Contains("did not answer within 5 seconds", ex.Message, StringComparison.Ordinal);
        gate.SetResult(new LoopbackResponse(200, "text/plain", "late"));
    }

    [Fact]
    public async Task Bad_maxChars_is_a_readable_error()
    {
        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<WebTools>().FetchAsync("https://public.example/", maxChars: 0));
        Assert.Contains("maxChars must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_a_run_a_fetch_succeeds_and_an_internal_url_is_a_tool_error()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", "hello from loopback"));
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);

        string ok = await Host.CallAsync(provider, model, GenericToolNames.WebFetch, new { url = server.Url("/") });
        string refused = await Host.CallAsync(provider, model, GenericToolNames.WebFetch, new { url = "http://intranet.example/" });

        Assert.EndsWith("hello from loopback", ok, StringComparison.Ordinal);
        Assert.StartsWith("Error: the call to tool 'web_fetch' was denied", refused, StringComparison.Ordinal);
        Assert.Contains("private-network", refused, StringComparison.Ordinal);
    }
}
