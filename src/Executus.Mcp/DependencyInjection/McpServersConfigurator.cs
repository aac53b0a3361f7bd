using Executus.Mcp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>One <c>AddMcpServers(configure)</c> action, applied after configuration is read.</summary>
internal sealed class McpServersConfigurator(Action<McpServersOptions> configure)
{
    public void Configure(McpServersOptions options) => configure(options);
}
