using System.Net;
using BenchmarkDotNet.Attributes;
using Executus.Net;

namespace Executus.Benchmarks;

/// <summary>
/// The SSRF guard runs before every tool URL fetch and on every redirect hop: the pure check of a literal-IP URL
/// (including an alternate spelling) and the check of a host name with a stubbed (in-memory) resolver.
/// </summary>
[MemoryDiagnoser]
public class SsrfBenchmarks
{
    private static readonly Uri LiteralUri = new("http://93.184.216.34/index.html");
    private static readonly Uri HexLoopbackUri = new("http://0x7f.1/admin");
    private static readonly Uri HostUri = new("https://api.example.com/v1/items");
    private readonly SsrfGuard _guard = SsrfGuard.Default;
    private readonly StubResolver _resolver = new();

    [Benchmark(Baseline = true)]
    public bool LiteralIpUrl() => _guard.CheckUri(LiteralUri).IsAllowed;

    [Benchmark]
    public bool AlternateSpellingLoopbackUrl() => _guard.CheckUri(HexLoopbackUri).IsAllowed;

    [Benchmark]
    public bool LiteralIpUrlString() => _guard.CheckUrl("http://93.184.216.34/index.html").IsAllowed;

    [Benchmark]
    public async Task<bool> HostNameWithStubResolver() => (await _guard.CheckUrlAsync(HostUri, _resolver)).IsAllowed;

    private sealed class StubResolver : IHostResolver
    {
        private readonly IReadOnlyList<IPAddress> _addresses = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946")];

        public ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(_addresses);
    }
}
