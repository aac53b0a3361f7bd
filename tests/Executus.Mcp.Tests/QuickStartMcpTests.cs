using Executus.Configuration;
using QuickStart;

namespace Executus.Mcp.Tests;

/// <summary>The QuickStart example with its files read by the real MCP filesystem server.</summary>
[Collection(McpServersGroup.Name)]
public sealed class QuickStartMcpTests(McpServersFixture servers)
{
    [Fact]
    public async Task QuickStart_reads_its_notes_through_the_MCP_filesystem_server_confined_by_Executus()
    {
        using StringWriter output = new();
        InMemoryConfigSource config = new([new("QuickStart:McpFilesystem", servers.Filesystem)]);

        int exitCode = await QuickStartApp.RunAsync(output, config);

        string text = output.ToString();
        Assert.True(exitCode == 0, text);
        Assert.True(text.Contains("the agent gets fs__read_text_file, confined to notes/ by Executus", StringComparison.Ordinal), text);
        Assert.True(text.Contains("tool ERROR  Error: the call to tool 'fs__read_text_file' was denied", StringComparison.Ordinal), text);
        Assert.True(text.Contains("contains a '..' segment", StringComparison.Ordinal), text);
        Assert.True(text.Contains("Your todo list: Buy milk; Review the Executus pull request; Call the dentist.", StringComparison.Ordinal), text);
    }
}
