using System.Text;
using BenchmarkDotNet.Attributes;
using Executus.Identity;
using Executus.Tools;

namespace Executus.Benchmarks;

/// <summary>
/// The per-call costs of the generic tools that do not touch the network: turning a ~20 KB HTML page into text
/// (what <c>web_fetch</c> does after the body arrives), and a memory set + get round trip on the in-memory store.
/// </summary>
[MemoryDiagnoser]
public class GenericToolsBenchmarks
{
    private readonly MemoryTools _memory = new();
    private readonly Uri _base = new("https://example.com/docs/");
    private string _html = string.Empty;
    private string _scope = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        StringBuilder page = new("<html><head><title>Docs</title><style>p{color:red}</style><script>var x=1;</script></head><body><nav><a href='/'>Home</a></nav>");
        for (int i = 0; i < 100; i++)
        {
            page.Append("<h2>Section ").Append(i).Append("</h2><p>Some paragraph text with a <a href='page").Append(i)
                .Append("'>link</a> and <b>bold</b> words, long enough to look like prose in a real page.</p><ul><li>one</li><li>two</li></ul>");
        }

        _html = page.Append("</body></html>").ToString();
        _scope = _memory.Scope(new CallerIdentity("alice", tenantKey: "acme"), "helper");
    }

    [Benchmark]
    public int HtmlToText() => HtmlText.Extract(_html, _base).Length;

    [Benchmark]
    public async Task<string> MemorySetGet()
    {
        await _memory.SetAsync(_scope, "key", "value").ConfigureAwait(false);
        return await _memory.GetAsync(_scope, "key").ConfigureAwait(false);
    }
}
