using System.Net;
using Executus.Configuration;
using Executus.Net;

namespace Executus.Core.Tests.Net;

public sealed class SsrfOptionsTests
{
    [Fact]
    public void Reads_allow_lists_and_caps_from_config()
    {
        InMemoryConfigSource config = new([
            new("Executus:Net:Ssrf:AllowHosts", "wiki.corp, *.svc.cluster.local"),
            new("Executus:Net:Ssrf:AllowCidrs", "10.20.0.0/16, fd00::/8, 192.168.5.5"),
            new("Executus:Net:Ssrf:MaxRedirects", "2"),
            new("Executus:Net:Ssrf:MaxResponseBytes", "4096"),
            new("Executus:Net:Ssrf:Timeout", "5s"),
        ]);

        SsrfOptions options = SsrfOptions.FromConfig(config);
        SsrfGuard guard = new(options);

        Assert.Equal(["wiki.corp", "*.svc.cluster.local"], options.AllowHosts);
        Assert.Equal(3, options.AllowCidrs.Count);
        Assert.Equal(2, options.MaxRedirects);
        Assert.Equal(4096, options.MaxResponseBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.True(guard.CheckUrl("http://10.20.3.4/").IsAllowed);
        Assert.False(guard.CheckUrl("http://10.21.3.4/").IsAllowed);
        Assert.True(guard.CheckUrl("http://192.168.5.5/").IsAllowed);
        Assert.False(guard.CheckUrl("http://192.168.5.6/").IsAllowed);
        Assert.True(guard.CheckUrl("http://[fd00::1]/").IsAllowed);
        Assert.True(guard.CheckUrl("http://api.svc.cluster.local/").IsAllowed);
    }

    [Fact]
    public void Defaults_deny_internal_with_no_allow_list()
    {
        SsrfOptions options = SsrfOptions.FromConfig(new InMemoryConfigSource([]));

        Assert.Empty(options.AllowHosts);
        Assert.Empty(options.AllowCidrs);
        Assert.Equal(5, options.MaxRedirects);
        Assert.Equal(SsrfBlockReason.Private, new SsrfGuard(options).CheckAddress(IPAddress.Parse("10.0.0.1")).Reason);
    }

    [Theory]
    [InlineData("Executus:Net:Ssrf:AllowCidrs", "10.0.0.0/33")]
    [InlineData("Executus:Net:Ssrf:AllowCidrs", "not-a-cidr")]
    [InlineData("Executus:Net:Ssrf:MaxRedirects", "-1")]
    [InlineData("Executus:Net:Ssrf:MaxResponseBytes", "lots")]
    [InlineData("Executus:Net:Ssrf:Timeout", "soon")]
    public void Malformed_values_throw_naming_the_key(string key, string value)
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => SsrfOptions.FromConfig(new InMemoryConfigSource([new(key, value)])));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
