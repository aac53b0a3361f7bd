using System.Net;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

public class NetToolsTests
{
    [Fact]
    public async Task Dns_lookup_lists_every_address_of_a_public_name()
    {
        using ServiceProvider provider = Host.Build();
        string text = await provider.GetRequiredService<NetTools>().LookupAsync("Public.Example");
        Assert.Equal("Host: public.example\nAddresses:\n- 93.184.216.34 (IPv4)\n- 2606:2800:220:1::1 (IPv6)", text);
    }

    [Fact]
    public async Task Dns_lookup_takes_the_host_of_a_url()
    {
        using ServiceProvider provider = Host.Build();
        string text = await provider.GetRequiredService<NetTools>().LookupAsync("https://public.example/path");
        Assert.StartsWith("Host: public.example\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_lookup_of_an_ip_literal_does_not_query()
    {
        FakeResolver resolver = Host.Resolver();
        using ServiceProvider provider = Host.Build(builder: b => b.UseHostResolver(resolver));
        string text = await provider.GetRequiredService<NetTools>().LookupAsync("93.184.216.34");
        Assert.Contains("93.184.216.34 (IPv4; an IP literal, not looked up)", text, StringComparison.Ordinal);
        Assert.Empty(resolver.Lookups);
    }

    [Theory]
    [InlineData("intranet.example")]
    [InlineData("mixed.example")]
    public async Task Dns_lookup_refuses_names_with_internal_addresses_without_revealing_them(string host)
    {
        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<NetTools>().LookupAsync(host));
        Assert.Contains("resolves to an internal address (Private)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.5", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("192.168.1.1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", "reserved for the local machine")]
    [InlineData("db.internal", "reserved for the local machine")]
    [InlineData("10.0.0.1", "private-network")]
    [InlineData("", "the host is empty")]
    [InlineData("ftp://public.example/", "is not a host name")]
    [InlineData("nowhere.example", "does not resolve to any address")]
    public async Task Dns_lookup_bad_or_blocked_hosts_are_readable_errors(string host, string expected)
    {
        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<NetTools>().LookupAsync(host));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_lookup_of_an_allow_listed_host_flags_its_internal_addresses()
    {
        using ServiceProvider provider = Host.Build(builder: b => b.ConfigureSsrf(o => o.AllowHosts.Add("*.corp.example")));
        string text = await provider.GetRequiredService<NetTools>().LookupAsync("wiki.corp.example");
        Assert.Contains("- 10.1.2.3 (IPv4; internal, reachable only because the host name is allow-listed)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_head_returns_status_and_selected_headers()
    {
        await using var server = new LoopbackServer((method, _) => new LoopbackResponse(200, "text/html; charset=utf-8", "<p>body</p>")
        {
            Headers = [("ETag", "\"v1\""), ("Server", "loopback"), ("X-Secret", "not shown")],
        });
        using ServiceProvider provider = Host.Build();

        string text = await provider.GetRequiredService<NetTools>().HeadAsync(server.Url("/doc"));

        Assert.Contains($"URL: {server.Url("/doc")}\nStatus: 200 OK", text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/html; charset=utf-8", text, StringComparison.Ordinal);
        Assert.Contains("ETag: \"v1\"", text, StringComparison.Ordinal);
        Assert.Contains("Server: loopback", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("body", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_head_refuses_a_loopback_address_that_is_not_allow_listed()
    {
        await using var server = new LoopbackServer((_, _) => new LoopbackResponse(200, "text/plain", string.Empty));
        using ServiceProvider provider = Host.Build(allowLoopback: false);

        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<NetTools>().HeadAsync(server.Url("/")));

        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Http_head_of_a_closed_port_is_a_readable_error()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using ServiceProvider provider = Host.Build();
        var ex = await Assert.ThrowsAsync<GenericToolException>(() => provider.GetRequiredService<NetTools>().HeadAsync($"http://127.0.0.1:{port}/"));
        Assert.Contains("failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_a_run_bad_inputs_come_back_as_tool_errors()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);

        string lookup = await Host.CallAsync(provider, model, GenericToolNames.DnsLookup, new { host = "localhost" });
        string head = await Host.CallAsync(provider, model, GenericToolNames.HttpHead, new { url = "gopher://public.example/" });

        Assert.StartsWith("Error: tool 'dns_lookup' failed: looking up 'localhost' is refused", lookup, StringComparison.Ordinal);
        Assert.StartsWith("Error: the call to tool 'http_head' was denied", head, StringComparison.Ordinal);
        Assert.Contains("scheme 'gopher'", head, StringComparison.Ordinal);
    }
}
