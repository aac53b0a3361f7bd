using System.Diagnostics;

namespace Executus.Mcp.Tests;

/// <summary>
/// Finds the pinned third-party MCP servers: the folder in EXECUTUS_MCP_SERVERS (set by .ci/run), or installs them with
/// .ci/mcp-servers.sh into a cache folder. Fails — never skips — when neither works.
/// </summary>
public sealed class McpServersFixture
{
    public McpServersFixture()
    {
        RepoRoot = FindRepoRoot();
        string? folder = Environment.GetEnvironmentVariable("EXECUTUS_MCP_SERVERS");
        if (string.IsNullOrEmpty(folder) || !File.Exists(Path.Combine(folder, ".stamp")))
        {
            folder = Install(folder);
        }

        Folder = folder;
        Everything = Require("server-everything/dist/index.js");
        Filesystem = Require("server-filesystem/dist/index.js");
        InspectorCli = Require("inspector-cli/build/cli.js");
        ListChangingServer = Path.Combine(AppContext.BaseDirectory, "servers", "list-changing.mjs");
    }

    public string RepoRoot { get; }

    public string Folder { get; }

    public string Everything { get; }

    public string Filesystem { get; }

    public string InspectorCli { get; }

    public string ListChangingServer { get; }

    private string Require(string relative)
    {
        string path = Path.Combine(Folder, "node_modules", "@modelcontextprotocol", relative);
        return File.Exists(path) ? path : throw new InvalidOperationException($"The MCP server folder {Folder} lacks {relative}; run .ci/mcp-servers.sh.");
    }

    private string Install(string? folder)
    {
        string target = string.IsNullOrEmpty(folder)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "executus-mcp-servers")
            : folder;
        ProcessStartInfo start = new("bash", [Path.Combine(RepoRoot, ".ci", "mcp-servers.sh"), target])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash to install the MCP servers.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The third-party MCP servers are not installed (EXECUTUS_MCP_SERVERS is not set) and .ci/mcp-servers.sh {target} failed " +
                $"with exit code {process.ExitCode} (npm and the npm registry are needed): {stderr.Result}");
        }

        return stdout.Trim().Split('\n')[^1];
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (Executus.sln) above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class McpServersGroup : ICollectionFixture<McpServersFixture>
{
    public const string Name = "MCP servers";
}
