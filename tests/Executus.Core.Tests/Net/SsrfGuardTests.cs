using System.Net;
using Executus.Net;

namespace Executus.Core.Tests.Net;

public sealed class SsrfGuardTests
{
    private static readonly (string Url, SsrfBlockReason Expected)[] Cases =
    [
        // Public names and literals pass.
        ("http://example.com/", SsrfBlockReason.None),
        ("https://example.com/path?q=1#f", SsrfBlockReason.None),
        ("http://EXAMPLE.com./", SsrfBlockReason.None),
        ("https://sub.domain.example.org:8443/a", SsrfBlockReason.None),
        ("http://bücher.de/", SsrfBlockReason.None),
        ("http://xn--bcher-kva.de/", SsrfBlockReason.None),
        ("http://1e100.net/", SsrfBlockReason.None),
        ("http://123.example/", SsrfBlockReason.None),
        ("http://localhost.example.com/", SsrfBlockReason.None),
        ("http://a-b_c.example/", SsrfBlockReason.None),
        ("http://93.184.216.34/", SsrfBlockReason.None),
        ("http://8.8.8.8:8080/", SsrfBlockReason.None),
        ("http://1.1.1.1", SsrfBlockReason.None),
        ("http://134744072/", SsrfBlockReason.None),
        ("http://0x08080808/", SsrfBlockReason.None),
        ("http://8.8.2056/", SsrfBlockReason.None),
        ("http://8.526344/", SsrfBlockReason.None),
        ("http://010.010.010.010/", SsrfBlockReason.None),
        ("http://11.0.0.0/", SsrfBlockReason.None),
        ("http://100.63.255.255/", SsrfBlockReason.None),
        ("http://100.128.0.0/", SsrfBlockReason.None),
        ("http://126.255.255.255/", SsrfBlockReason.None),
        ("http://128.0.0.0/", SsrfBlockReason.None),
        ("http://169.253.255.255/", SsrfBlockReason.None),
        ("http://169.255.0.0/", SsrfBlockReason.None),
        ("http://172.15.255.255/", SsrfBlockReason.None),
        ("http://172.32.0.0/", SsrfBlockReason.None),
        ("http://192.167.255.255/", SsrfBlockReason.None),
        ("http://192.169.0.0/", SsrfBlockReason.None),
        ("http://198.17.255.255/", SsrfBlockReason.None),
        ("http://198.20.0.0/", SsrfBlockReason.None),
        ("http://223.255.255.255/", SsrfBlockReason.None),
        ("https://[2606:4700:4700::1111]/", SsrfBlockReason.None),
        ("http://[2001:4860:4860::8888]:8080/", SsrfBlockReason.None),
        ("http://[::ffff:8.8.8.8]/", SsrfBlockReason.None),
        ("http://[64:ff9b::808:808]/", SsrfBlockReason.None),
        ("http://[2002:0808:0808::1]/", SsrfBlockReason.None),
        ("http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/", SsrfBlockReason.None),

        // Schemes.
        ("file:///etc/passwd", SsrfBlockReason.Scheme),
        ("ftp://example.com/", SsrfBlockReason.Scheme),
        ("gopher://127.0.0.1:70/_x", SsrfBlockReason.Scheme),
        ("javascript:alert(1)", SsrfBlockReason.Scheme),
        ("data:text/plain,hi", SsrfBlockReason.Scheme),
        ("ws://example.com/", SsrfBlockReason.Scheme),
        ("dict://127.0.0.1:11211/", SsrfBlockReason.Scheme),
        ("ldap://example.com/", SsrfBlockReason.Scheme),

        // Not URLs.
        ("", SsrfBlockReason.InvalidUrl),
        ("not a url", SsrfBlockReason.InvalidUrl),
        ("relative/path", SsrfBlockReason.InvalidUrl),
        ("http://", SsrfBlockReason.InvalidUrl),
        ("http://[::1", SsrfBlockReason.InvalidUrl),

        // User info.
        ("http://user@example.com/", SsrfBlockReason.UserInfo),
        ("http://user:pass@example.com/", SsrfBlockReason.UserInfo),
        ("http://evil.com@127.0.0.1/", SsrfBlockReason.UserInfo),
        ("http://127.0.0.1@evil.com/", SsrfBlockReason.UserInfo),
        ("https://a%40b@example.com/", SsrfBlockReason.UserInfo),
        ("http://:@example.com/", SsrfBlockReason.UserInfo),

        // Loopback in every spelling.
        ("http://127.0.0.1/", SsrfBlockReason.Loopback),
        ("http://127.0.0.1:8080/admin", SsrfBlockReason.Loopback),
        ("http://127.1/", SsrfBlockReason.Loopback),
        ("http://127.0.1/", SsrfBlockReason.Loopback),
        ("http://2130706433/", SsrfBlockReason.Loopback),
        ("http://0x7f000001/", SsrfBlockReason.Loopback),
        ("http://0x7f.1/", SsrfBlockReason.Loopback),
        ("http://0x7F.0.0.1/", SsrfBlockReason.Loopback),
        ("http://0x7f.0x0.0x0.0x1/", SsrfBlockReason.Loopback),
        ("http://0177.0.0.1/", SsrfBlockReason.Loopback),
        ("http://0177.1/", SsrfBlockReason.Loopback),
        ("http://017700000001/", SsrfBlockReason.Loopback),
        ("http://0000177.0.0.1/", SsrfBlockReason.Loopback),
        ("http://127.000.000.001/", SsrfBlockReason.Loopback),
        ("http://0177.0x0.0.1/", SsrfBlockReason.Loopback),
        ("http://127.0.0.1./", SsrfBlockReason.Loopback),
        ("http://127.255.255.254/", SsrfBlockReason.Loopback),
        ("http://[::1]/", SsrfBlockReason.Loopback),
        ("http://[0:0:0:0:0:0:0:1]:8080/", SsrfBlockReason.Loopback),
        ("http://[::ffff:127.0.0.1]/", SsrfBlockReason.Loopback),
        ("http://[::ffff:7f00:1]/", SsrfBlockReason.Loopback),
        ("http://[::127.0.0.1]/", SsrfBlockReason.Loopback),
        ("http://[64:ff9b::127.0.0.1]/", SsrfBlockReason.Loopback),
        ("http://[2002:7f00:1::]/", SsrfBlockReason.Loopback),

        // Private networks.
        ("http://10.0.0.1/", SsrfBlockReason.Private),
        ("http://10.255.255.255/", SsrfBlockReason.Private),
        ("http://012.0.0.1/", SsrfBlockReason.Private),
        ("http://0xa.0.0.1/", SsrfBlockReason.Private),
        ("http://167772161/", SsrfBlockReason.Private),
        ("http://172.16.0.1/", SsrfBlockReason.Private),
        ("http://172.31.255.255/", SsrfBlockReason.Private),
        ("http://192.168.1.1/", SsrfBlockReason.Private),
        ("http://0xc0a80001/", SsrfBlockReason.Private),
        ("http://192.168.257/", SsrfBlockReason.Private),
        ("http://[fc00::1]/", SsrfBlockReason.Private),
        ("http://[fd12:3456::1]/", SsrfBlockReason.Private),
        ("http://[::ffff:10.0.0.1]/", SsrfBlockReason.Private),
        ("http://[::ffff:192.168.0.1]/", SsrfBlockReason.Private),
        ("http://[64:ff9b:1::a00:1]/", SsrfBlockReason.Private),
        ("http://[64:ff9b::10.1.2.3]/", SsrfBlockReason.Private),
        ("http://[2002:c0a8:0101::1]/", SsrfBlockReason.Private),
        ("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", SsrfBlockReason.Private),

        // Link-local and cloud metadata.
        ("http://169.254.169.254/latest/meta-data/", SsrfBlockReason.LinkLocal),
        ("http://169.254.0.1/", SsrfBlockReason.LinkLocal),
        ("http://0xa9fea9fe/", SsrfBlockReason.LinkLocal),
        ("http://2852039166/", SsrfBlockReason.LinkLocal),
        ("http://0251.0376.0251.0376/", SsrfBlockReason.LinkLocal),
        ("http://169.254.43518/", SsrfBlockReason.LinkLocal),
        ("http://[fe80::1]/", SsrfBlockReason.LinkLocal),
        ("http://[fe80::1%25eth0]/", SsrfBlockReason.LinkLocal),
        ("http://[febf::1]/", SsrfBlockReason.LinkLocal),
        ("http://[::ffff:169.254.169.254]/", SsrfBlockReason.LinkLocal),
        ("http://[64:ff9b::a9fe:a9fe]/", SsrfBlockReason.LinkLocal),
        ("http://[2002:a9fe:a9fe::]/", SsrfBlockReason.LinkLocal),

        // Site-local, CGNAT, unspecified.
        ("http://[fec0::1]/", SsrfBlockReason.SiteLocal),
        ("http://[feff::1]/", SsrfBlockReason.SiteLocal),
        ("http://100.64.0.1/", SsrfBlockReason.SharedAddressSpace),
        ("http://100.127.255.255/", SsrfBlockReason.SharedAddressSpace),
        ("http://[::ffff:100.64.0.1]/", SsrfBlockReason.SharedAddressSpace),
        ("http://0.0.0.0/", SsrfBlockReason.Unspecified),
        ("http://0/", SsrfBlockReason.Unspecified),
        ("http://0x0/", SsrfBlockReason.Unspecified),
        ("http://0.1.2.3/", SsrfBlockReason.Unspecified),
        ("http://[::]/", SsrfBlockReason.Unspecified),
        ("http://[::ffff:0.0.0.0]/", SsrfBlockReason.Unspecified),

        // Multicast, broadcast.
        ("http://224.0.0.1/", SsrfBlockReason.Multicast),
        ("http://239.255.255.250/", SsrfBlockReason.Multicast),
        ("http://0xe0000001/", SsrfBlockReason.Multicast),
        ("http://[ff02::1]/", SsrfBlockReason.Multicast),
        ("http://[ff05::1:3]/", SsrfBlockReason.Multicast),
        ("http://255.255.255.255/", SsrfBlockReason.Broadcast),
        ("http://4294967295/", SsrfBlockReason.Broadcast),
        ("http://0xffffffff/", SsrfBlockReason.Broadcast),

        // Reserved, documentation, benchmarking.
        ("http://240.0.0.1/", SsrfBlockReason.Reserved),
        ("http://250.1.2.3/", SsrfBlockReason.Reserved),
        ("http://255.255.255.254/", SsrfBlockReason.Reserved),
        ("http://192.0.0.1/", SsrfBlockReason.Reserved),
        ("http://192.0.0.170/", SsrfBlockReason.Reserved),
        ("http://192.88.99.1/", SsrfBlockReason.Reserved),
        ("http://[100::1]/", SsrfBlockReason.Reserved),
        ("http://[2001:10::1]/", SsrfBlockReason.Reserved),
        ("http://[2001:20::1]/", SsrfBlockReason.Reserved),
        ("http://[::ffff:0:1.2.3.4]/", SsrfBlockReason.Reserved),
        ("http://[::1:2:3:4]/", SsrfBlockReason.Reserved),
        ("http://[4000::1]/", SsrfBlockReason.Reserved),
        ("http://192.0.2.1/", SsrfBlockReason.Documentation),
        ("http://198.51.100.7/", SsrfBlockReason.Documentation),
        ("http://203.0.113.9/", SsrfBlockReason.Documentation),
        ("http://[2001:db8::1]/", SsrfBlockReason.Documentation),
        ("http://[3fff::1]/", SsrfBlockReason.Documentation),
        ("http://198.18.0.1/", SsrfBlockReason.Benchmarking),
        ("http://198.19.255.255/", SsrfBlockReason.Benchmarking),
        ("http://[2001:2::1]/", SsrfBlockReason.Benchmarking),

        // Zones on otherwise public addresses.
        ("http://[2606:4700::1%25eth0]/", SsrfBlockReason.ZoneId),

        // Local names.
        ("http://localhost/", SsrfBlockReason.InternalHostName),
        ("http://LOCALHOST:8080/", SsrfBlockReason.InternalHostName),
        ("http://localhost./", SsrfBlockReason.InternalHostName),
        ("http://api.localhost/", SsrfBlockReason.InternalHostName),
        ("http://printer.local/", SsrfBlockReason.InternalHostName),
        ("http://metadata.google.internal/computeMetadata/v1/", SsrfBlockReason.InternalHostName),
        ("http://router.home.arpa/", SsrfBlockReason.InternalHostName),
        ("http://localhost.localdomain/", SsrfBlockReason.InternalHostName),

        // Numeric-looking hosts that are not addresses.
        ("http://1.2.3.4.5/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://256.1.1.1/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://08.1/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://0x100000000/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://4294967296/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://127.0.0.1.5/", SsrfBlockReason.AmbiguousNumericHost),
        ("http://example.123/", SsrfBlockReason.AmbiguousNumericHost),
    ];

    public static TheoryData<string, SsrfBlockReason> UrlCases()
    {
        TheoryData<string, SsrfBlockReason> data = [];
        foreach ((string url, SsrfBlockReason expected) in Cases)
        {
            data.Add(url, expected);
        }

        return data;
    }

    [Fact]
    public void The_table_has_at_least_a_hundred_cases_with_both_outcomes()
    {
        Assert.True(Cases.Length >= 100, $"only {Cases.Length} cases");
        Assert.Contains(Cases, c => c.Expected == SsrfBlockReason.None);
        Assert.True(Cases.Count(c => c.Expected != SsrfBlockReason.None) > 100);
    }

    [Theory]
    [MemberData(nameof(UrlCases))]
    public void CheckUrl_classifies(string url, SsrfBlockReason expected)
    {
        SsrfDecision decision = SsrfGuard.Default.CheckUrl(url);

        Assert.Equal(expected, decision.Reason);
        Assert.Equal(expected == SsrfBlockReason.None, decision.IsAllowed);
        Assert.False(string.IsNullOrWhiteSpace(decision.Detail));
    }

    [Theory]
    [InlineData("127.0.0.1", SsrfBlockReason.Loopback)]
    [InlineData("::1", SsrfBlockReason.Loopback)]
    [InlineData("10.1.2.3", SsrfBlockReason.Private)]
    [InlineData("169.254.169.254", SsrfBlockReason.LinkLocal)]
    [InlineData("fe80::1%1", SsrfBlockReason.ZoneId)]
    [InlineData("::ffff:192.168.0.1", SsrfBlockReason.Private)]
    [InlineData("8.8.8.8", SsrfBlockReason.None)]
    [InlineData("2606:4700:4700::1111", SsrfBlockReason.None)]
    public void CheckAddress_classifies(string address, SsrfBlockReason expected) =>
        Assert.Equal(expected, SsrfGuard.Default.CheckAddress(IPAddress.Parse(address)).Reason);

    [Theory]
    [InlineData("[::1]", SsrfBlockReason.Loopback)]
    [InlineData("0x7f.1", SsrfBlockReason.Loopback)]
    [InlineData("fe80::1%eth0", SsrfBlockReason.LinkLocal)]
    [InlineData("Example.COM.", SsrfBlockReason.None)]
    [InlineData("exa mple.com", SsrfBlockReason.InvalidUrl)]
    [InlineData("  ", SsrfBlockReason.InvalidUrl)]
    public void CheckHost_accepts_bare_hosts(string host, SsrfBlockReason expected) =>
        Assert.Equal(expected, SsrfGuard.Default.CheckHost(host).Reason);

    [Fact]
    public void Blocked_detail_names_the_address_and_the_range()
    {
        SsrfDecision decision = SsrfGuard.Default.CheckUrl("http://0x7f.1/");

        Assert.Contains("127.0.0.1", decision.Detail, StringComparison.Ordinal);
        Assert.Contains("loopback", decision.Detail, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Loopback, decision.Address);
    }

    [Fact]
    public void Allow_listed_cidrs_pass_and_others_stay_blocked()
    {
        SsrfOptions options = new();
        options.AllowCidrs.Add(IPNetwork.Parse("10.0.0.0/8"));
        SsrfGuard guard = new(options);

        SsrfDecision inside = guard.CheckUrl("http://10.1.2.3/");
        Assert.True(inside.IsAllowed);
        Assert.True(inside.AllowListed);
        Assert.True(guard.CheckUrl("http://[::ffff:10.1.2.3]/").IsAllowed);
        Assert.True(guard.CheckUrl("http://012.1.2.3/").IsAllowed);
        Assert.Equal(SsrfBlockReason.Private, guard.CheckUrl("http://192.168.1.1/").Reason);
        Assert.Equal(SsrfBlockReason.Loopback, guard.CheckUrl("http://127.0.0.1/").Reason);
    }

    [Fact]
    public void Allow_listed_hosts_pass_but_scheme_and_userinfo_rules_still_apply()
    {
        SsrfOptions options = new();
        options.AllowHosts.Add("wiki.corp");
        options.AllowHosts.Add("*.internal");
        options.AllowHosts.Add("LOCALHOST.");
        SsrfGuard guard = new(options);

        Assert.True(guard.CheckUrl("http://wiki.corp/page").AllowListed);
        Assert.True(guard.CheckUrl("http://WIKI.corp./page").AllowListed);
        Assert.True(guard.CheckUrl("http://api.internal/").IsAllowed);
        Assert.True(guard.CheckUrl("http://localhost:5000/").IsAllowed);
        Assert.Equal(SsrfBlockReason.InternalHostName, guard.CheckUrl("http://internal.local/").Reason);
        Assert.False(guard.IsHostAllowListed("internal"));
        Assert.Equal(SsrfBlockReason.UserInfo, guard.CheckUrl("http://user@wiki.corp/").Reason);
        Assert.Equal(SsrfBlockReason.Scheme, guard.CheckUrl("ftp://wiki.corp/").Reason);
        Assert.Equal(SsrfBlockReason.Loopback, guard.CheckUrl("http://127.0.0.1/").Reason);
    }

    [Fact]
    public async Task CheckUrlAsync_resolves_names_and_blocks_any_internal_address()
    {
        StubResolver resolver = new();
        resolver.Map("public.test", IPAddress.Parse("93.184.216.34"));
        resolver.Map("mixed.test", IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.5"));
        resolver.Map("nowhere.test");

        SsrfDecision allowed = await SsrfGuard.Default.CheckUrlAsync(new Uri("http://public.test/"), resolver);
        SsrfDecision mixed = await SsrfGuard.Default.CheckUrlAsync(new Uri("http://mixed.test/"), resolver);
        SsrfDecision nowhere = await SsrfGuard.Default.CheckUrlAsync(new Uri("http://nowhere.test/"), resolver);
        SsrfDecision literal = await SsrfGuard.Default.CheckUrlAsync(new Uri("http://8.8.8.8/"), resolver);

        Assert.True(allowed.IsAllowed);
        Assert.Equal(IPAddress.Parse("93.184.216.34"), allowed.Address);
        Assert.Equal(SsrfBlockReason.Private, mixed.Reason);
        Assert.Contains("mixed.test", mixed.Detail, StringComparison.Ordinal);
        Assert.Contains("10.0.0.5", mixed.Detail, StringComparison.Ordinal);
        Assert.Equal(SsrfBlockReason.Unresolved, nowhere.Reason);
        Assert.True(literal.IsAllowed);
        Assert.Equal(0, resolver.CallsFor("8.8.8.8"));
    }

    [Fact]
    public void Block_requires_a_reason()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SsrfDecision.Block(SsrfBlockReason.None, "x"));
        Assert.Throws<ArgumentException>(() => SsrfDecision.Block(SsrfBlockReason.Loopback, " "));
    }
}
