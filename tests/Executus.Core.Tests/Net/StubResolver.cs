using System.Collections.Concurrent;
using System.Net;
using Executus.Net;

namespace Executus.Core.Tests.Net;

/// <summary>A scripted resolver: each host answers from a function of how many times it was asked.</summary>
internal sealed class StubResolver : IHostResolver
{
    private readonly ConcurrentDictionary<string, Func<int, IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    public void Map(string host, params IPAddress[] addresses) => _answers[host] = _ => addresses;

    public void MapSequence(string host, Func<int, IPAddress[]> answer) => _answers[host] = answer;

    public int CallsFor(string host) => _calls.TryGetValue(host, out int n) ? n : 0;

    public ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        int call = _calls.AddOrUpdate(host, 1, (_, n) => n + 1);
        IReadOnlyList<IPAddress> result = _answers.TryGetValue(host, out Func<int, IPAddress[]>? answer) ? answer(call) : [];
        return ValueTask.FromResult(result);
    }
}
