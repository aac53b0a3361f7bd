using Executus.Configuration;
using Executus.Net;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Reads <see cref="SsrfOptions"/> from the registered <see cref="IConfigSource"/> (<c>Executus:Net:Ssrf:*</c>).</summary>
internal sealed class SsrfOptionsSetup(IConfigSource config) : IConfigureOptions<SsrfOptions>
{
    public void Configure(SsrfOptions options) => options.ApplyConfig(config);
}
