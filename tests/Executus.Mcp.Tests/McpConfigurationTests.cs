using Executus.Configuration;
using Executus.Tooling;
using Microsoft.Extensions.Configuration;
using ModelContextProtocol.Protocol;

namespace Executus.Mcp.Tests;

/// <summary>Reading servers from configuration, metadata from annotations, tool names and result caps (no processes).</summary>
public sealed class McpConfigurationTests
{
    [Fact]
    public void Servers_are_read_from_Executus_Mcp_Servers()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executus:Mcp:Servers:fs:Command"] = "node",
            ["Executus:Mcp:Servers:fs:Args:0"] = "server.js",
            ["Executus:Mcp:Servers:fs:Args:1"] = "/data",
            ["Executus:Mcp:Servers:fs:Env:LOG"] = "1",
            ["Executus:Mcp:Servers:fs:WorkingDirectory"] = "/srv",
            ["Executus:Mcp:Servers:fs:Start"] = "Lazy",
            ["Executus:Mcp:Servers:fs:CallTimeout"] = "30s",
            ["Executus:Mcp:Servers:fs:MaxResultChars"] = "5000",
            ["Executus:Mcp:Servers:fs:RequiredScopes"] = "files",
            ["Executus:Mcp:Servers:fs:Tools:write_file:NeedsApproval"] = "false",
            ["Executus:Mcp:Servers:fs:Tools:write_file:SideEffect"] = "External",
            ["Executus:Mcp:Servers:fs:Tools:write_file:RequiredRoles"] = "editor,admin",
            ["Executus:Mcp:Servers:remote:Url"] = "https://mcp.example.com/mcp",
            ["Executus:Mcp:Servers:remote:Headers:Authorization"] = "Bearer x",
            ["Executus:Mcp:Servers:remote:Prefix"] = "gh",
            ["Executus:Mcp:ToolNameSeparator"] = "-",
        }).Build();

        McpServersOptions options = McpServersOptions.FromConfiguration(configuration);
        options.Validate();

        Assert.Equal("-", options.ToolNameSeparator);
        McpServerDefinition fs = options.Servers.Single(s => s.Name == "fs");
        Assert.Equal("node", fs.Command);
        Assert.Equal(["server.js", "/data"], fs.Arguments);
        Assert.Equal("1", fs.Environment["LOG"]);
        Assert.Equal("/srv", fs.WorkingDirectory);
        Assert.Equal(McpServerStartMode.Lazy, fs.StartMode);
        Assert.Equal(TimeSpan.FromSeconds(30), fs.CallTimeout);
        Assert.Equal(5000, fs.MaxResultChars);
        Assert.Equal(["files"], fs.RequiredScopes);
        McpToolOverride write = fs.Tools["write_file"];
        Assert.False(write.NeedsApproval);
        Assert.Equal(SideEffect.External, write.SideEffect);
        Assert.Equal(["editor", "admin"], write.RequiredRoles);
        Assert.Equal("stdio", fs.Transport);
        Assert.Equal("node server.js /data", fs.Target);

        McpServerDefinition remote = options.Servers.Single(s => s.Name == "remote");
        Assert.Equal(new Uri("https://mcp.example.com/mcp"), remote.Url);
        Assert.Equal("Bearer x", remote.Headers["authorization"]);
        Assert.Equal("http", remote.Transport);
    }

    [Theory]
    [InlineData("Executus:Mcp:Servers:bad:Start", "Sometimes", "Executus:Mcp:Servers:bad:Start")]
    [InlineData("Executus:Mcp:Servers:bad:CallTimeout", "soon", "Executus:Mcp:Servers:bad:CallTimeout")]
    [InlineData("Executus:Mcp:Servers:bad:Url", "not a url", "Executus:Mcp:Servers:bad:Url")]
    public void Malformed_values_name_the_key(string key, string value, string named)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executus:Mcp:Servers:bad:Command"] = "node",
            [key] = value,
        }).Build();

        ConfigException error = Assert.Throws<ConfigException>(() => McpServersOptions.FromConfiguration(configuration));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_needs_exactly_one_of_Command_and_Url_and_prefixes_must_differ()
    {
        McpServersOptions neither = new();
        neither.Servers.Add(new McpServerDefinition("empty"));
        Assert.Contains("exactly one of Executus:Mcp:Servers:empty:Command", Assert.Throws<ConfigException>(neither.Validate).Message, StringComparison.Ordinal);

        McpServersOptions both = new();
        both.Servers.Add(new McpServerDefinition("both") { Command = "node", Url = new Uri("https://x.example/mcp") });
        Assert.Throws<ConfigException>(both.Validate);

        McpServersOptions clash = new();
        clash.Servers.Add(new McpServerDefinition("a") { Command = "node", Prefix = "x" });
        clash.Servers.Add(new McpServerDefinition("b") { Command = "node", Prefix = "x" });
        Assert.Contains("prefix 'x'", Assert.Throws<ConfigException>(clash.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Annotations_map_to_side_effect_approval_and_repeatability_with_MCP_defaults()
    {
        McpServerDefinition server = new("s") { Command = "x" };

        ToolMetadata readOnly = McpToolMetadata.From(new ToolAnnotations { ReadOnlyHint = true }, server, null);
        Assert.Equal(SideEffect.Read, readOnly.SideEffect);
        Assert.False(readOnly.NeedsApproval);
        Assert.True(readOnly.IsSafeToRepeat);

        ToolMetadata unannotated = McpToolMetadata.From(null, server, null);
        Assert.Equal(SideEffect.External, unannotated.SideEffect);
        Assert.True(unannotated.NeedsApproval);
        Assert.False(unannotated.IsSafeToRepeat);

        ToolMetadata localWrite = McpToolMetadata.From(new ToolAnnotations { ReadOnlyHint = false, DestructiveHint = false, IdempotentHint = true, OpenWorldHint = false }, server, null);
        Assert.Equal(SideEffect.Write, localWrite.SideEffect);
        Assert.False(localWrite.NeedsApproval);
        Assert.True(localWrite.IsSafeToRepeat);

        McpToolOverride relax = new() { NeedsApproval = false, SafeToRepeat = true, SideEffect = SideEffect.Write };
        ToolMetadata overridden = McpToolMetadata.From(null, server, relax);
        Assert.False(overridden.NeedsApproval);
        Assert.True(overridden.IsSafeToRepeat);
        Assert.Equal(SideEffect.Write, overridden.SideEffect);
    }

    [Fact]
    public void Tool_names_use_only_characters_model_APIs_accept_and_stay_within_64()
    {
        Assert.Equal("my_server__read_file", McpToolNames.Create("my server", "__", "read.file"));
        string longName = McpToolNames.Create("server", "__", new string('t', 100));
        Assert.Equal(64, longName.Length);
        Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", longName);
        Assert.NotEqual(longName, McpToolNames.Create("server", "__", new string('t', 99)));
    }

    [Fact]
    public void Results_are_capped_with_a_visible_note_and_content_blocks_become_text()
    {
        Assert.Equal("short", McpResultText.Cap("short", 100));
        string capped = McpResultText.Cap(new string('a', 500), 100);
        Assert.StartsWith(new string('a', 100) + "\n…[truncated: showing 100 of 500 characters]", capped, StringComparison.Ordinal);

        CallToolResult result = new()
        {
            Content =
            [
                new TextContentBlock { Text = "first" },
                ImageContentBlock.FromBytes(new byte[] { 1, 2, 3 }, "image/png"),
                new ResourceLinkBlock { Name = "doc", Uri = "file:///doc.txt" },
            ],
        };
        string text = McpResultText.Format(result);
        Assert.StartsWith("first\n[image: image/png,", text, StringComparison.Ordinal);
        Assert.EndsWith("[resource link: doc file:///doc.txt]", text, StringComparison.Ordinal);
    }
}
