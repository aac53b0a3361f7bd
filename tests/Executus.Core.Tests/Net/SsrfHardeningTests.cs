using System.Net;
using Executus.Configuration;
using Executus.Net;

namespace Executus.Core.Tests.Net;

public sealed class SsrfHardeningTests
{
    [Theory]
    [InlineData("localhost..")]
    [InlineData("127.0.0.1..")]
    [InlineData("example.com..")]
    [InlineData(".example.com")]
    [InlineData("a..example.com")]
    [InlineData("..")]
    public void Hosts_with_an_empty_label_are_refused(string host)
    {
        SsrfDecision decision = SsrfGuard.Default.CheckHost(host);
        Assert.False(decision.IsAllowed, host);
        Assert.Equal(SsrfBlockReason.InvalidUrl, decision.Reason);
    }

    [Fact]
    public void One_trailing_dot_is_still_the_root_label()
    {
        Assert.True(SsrfGuard.Default.CheckHost("example.com.").IsAllowed);
        Assert.Equal(SsrfBlockReason.Loopback, SsrfGuard.Default.CheckHost("127.0.0.1.").Reason);
        Assert.False(SsrfGuard.Default.CheckUrl("http://localhost../").IsAllowed);
    }

    [Theory]
    [InlineData("http://168.63.129.16/machine?comp=goalstate", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://[::ffff:168.63.129.16]/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://[64:ff9b::a83f:8110]/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://[2002:a83f:8110::1]/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://2822734096/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://100.100.100.200/latest/meta-data/", SsrfBlockReason.SharedAddressSpace)]
    [InlineData("http://192.0.0.192/", SsrfBlockReason.Reserved)]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", SsrfBlockReason.Private)]
    [InlineData("http://169.254.169.254/", SsrfBlockReason.LinkLocal)]
    [InlineData("http://metadata/computeMetadata/v1/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://METADATA.goog./computeMetadata/v1/", SsrfBlockReason.CloudMetadata)]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", SsrfBlockReason.InternalHostName)]
    [InlineData("http://instance-data/latest/", SsrfBlockReason.CloudMetadata)]
    public void Cloud_metadata_endpoints_are_refused_by_default(string url, SsrfBlockReason expected)
    {
        SsrfDecision decision = SsrfGuard.Default.CheckUrl(url);
        Assert.False(decision.IsAllowed, url);
        Assert.Equal(expected, decision.Reason);
    }

    [Fact]
    public void Allow_listed_ranges_do_not_open_their_metadata_endpoints()
    {
        var options = new SsrfOptions();
        options.AllowCidrs.Add(IPNetwork.Parse("100.64.0.0/10"));
        options.AllowCidrs.Add(IPNetwork.Parse("fd00::/8"));
        options.AllowHosts.Add("*.internal");
        var guard = new SsrfGuard(options);

        Assert.True(guard.CheckAddress(IPAddress.Parse("100.100.1.1")).IsAllowed);
        Assert.Equal(SsrfBlockReason.CloudMetadata, guard.CheckAddress(IPAddress.Parse("100.100.100.200")).Reason);
        Assert.Equal(SsrfBlockReason.CloudMetadata, guard.CheckAddress(IPAddress.Parse("fd00:ec2::254")).Reason);
        Assert.True(guard.CheckHost("wiki.internal").IsAllowed);
        Assert.False(guard.CheckHost("metadata.google.internal").IsAllowed);
    }

    [Fact]
    public void The_metadata_deny_list_is_configurable_and_can_be_turned_off()
    {
        SsrfGuard extended = new(SsrfOptions.FromConfig(new InMemoryConfigSource(
        [
            new("Executus:Net:Ssrf:MetadataAddresses", "8.8.4.4, 2001:4860:4860::8844"),
            new("Executus:Net:Ssrf:MetadataHosts", "meta.example.com"),
        ])));
        Assert.Equal(SsrfBlockReason.CloudMetadata, extended.CheckUrl("http://8.8.4.4/").Reason);
        Assert.Equal(SsrfBlockReason.CloudMetadata, extended.CheckUrl("http://[2001:4860:4860::8844]/").Reason);
        Assert.Equal(SsrfBlockReason.CloudMetadata, extended.CheckUrl("http://meta.example.com/").Reason);
        Assert.Equal(SsrfBlockReason.CloudMetadata, extended.CheckUrl("http://168.63.129.16/").Reason);

        SsrfGuard off = new(SsrfOptions.FromConfig(new InMemoryConfigSource([new("Executus:Net:Ssrf:BlockCloudMetadata", "false")])));
        Assert.True(off.CheckUrl("http://168.63.129.16/").IsAllowed);
        Assert.True(off.CheckUrl("http://metadata.goog/").IsAllowed);
        Assert.Equal(SsrfBlockReason.LinkLocal, off.CheckUrl("http://169.254.169.254/").Reason);

        ConfigException ex = Assert.Throws<ConfigException>(() => SsrfOptions.FromConfig(
            new InMemoryConfigSource([new("Executus:Net:Ssrf:MetadataAddresses", "not-an-address")])));
        Assert.Equal("Executus:Net:Ssrf:MetadataAddresses", ex.Key);
    }

    private static SafeHttpClientFactory LoopbackFactory()
    {
        SsrfOptions options = new();
        options.AllowHosts.Add("first.test");
        StubResolver resolver = new();
        resolver.Map("first.test", IPAddress.Loopback);
        return new SafeHttpClientFactory(options, resolver);
    }

    [Fact]
    public async Task An_http3_only_request_is_refused_before_connecting()
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("hello"));
        using SafeHttpClientFactory factory = LoopbackFactory();
        using HttpClient client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://first.test:{server.Port}/"))
        {
            Version = HttpVersion.Version30,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        SsrfBlockedException ex = await Assert.ThrowsAsync<SsrfBlockedException>(() => client.SendAsync(request));

        Assert.Equal(SsrfBlockReason.HttpVersion, ex.Decision.Reason);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData(3, 0, HttpVersionPolicy.RequestVersionOrLower)]
    [InlineData(1, 1, HttpVersionPolicy.RequestVersionOrHigher)]
    [InlineData(2, 0, HttpVersionPolicy.RequestVersionOrHigher)]
    public async Task A_policy_that_could_pick_http3_is_capped_at_http2(int major, int minor, HttpVersionPolicy policy)
    {
        await using LoopbackHttpServer server = new(_ => LoopbackHttpServer.Ok("hello"));
        using SafeHttpClientFactory factory = LoopbackFactory();
        using HttpClient client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://first.test:{server.Port}/"))
        {
            Version = new Version(major, minor),
            VersionPolicy = policy,
        };

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("hello", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, request.VersionPolicy);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }
}
