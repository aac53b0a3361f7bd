using System.Net;
using Executus.Net;

namespace Executus.Tools.Tests;

/// <summary>A host resolver answering from a fixed table (no network).</summary>
internal sealed class FakeResolver(Dictionary<string, IPAddress[]> table) : IHostResolver
{
    public List<string> Lookups { get; } = [];

    public ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        lock (Lookups)
        {
            Lookups.Add(host);
        }

        return ValueTask.FromResult<IReadOnlyList<IPAddress>>(table.TryGetValue(host, out IPAddress[]? addresses) ? addresses : []);
    }
}
