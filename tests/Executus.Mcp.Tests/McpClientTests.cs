using System.Diagnostics;
using System.Net;
using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Mcp.Tests;

/// <summary>Executus as an MCP client of servers nobody here wrote (pinned npm packages), through real runs.</summary>
[Collection(McpServersGroup.Name)]
public sealed class McpClientTests(McpServersFixture servers) : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly string _root = Directory.CreateTempSubdirectory("executus-mcp-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ServiceProvider provider in _providers)
        {
            await provider.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_scripted_run_calls_an_MCP_tool_and_the_result_goes_back_to_the_model()
    {
        ScriptedChatClient model = new();
        RecordingAudit audit = new();
        ServiceProvider provider = await StartAsync(model, o => o.Servers.Add(Node("everything", servers.Everything)), audit);
        McpServerManager manager = provider.GetRequiredService<McpServerManager>();
        Assert.Equal(McpServerState.Running, manager.GetConnection("everything").State);
        Assert.Contains("everything__get-sum", manager.GetConnection("everything").ToolNames);

        RegisteredTool sum = Registered(provider, "everything__get-sum");
        Assert.Equal(SideEffect.Read, sum.Metadata.SideEffect);
        Assert.False(sum.RequiresApproval);
        Assert.Equal("mcp:everything", sum.Metadata.Category);

        model.ReplyToolCall("everything__get-sum", new { a = 2, b = 40 }).ReplyText("The sum is 42.");
        RunResult result = await Run(provider, "everything__get-sum");

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Contains("42", Assert.Single(ToolResults(result)), StringComparison.Ordinal);
        // The model's second request carried the MCP result.
        Assert.Contains(model.Requests[1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.Result?.ToString()?.Contains("42", StringComparison.Ordinal) == true);
        Assert.Contains(audit.Events, e => e.Kind == AuditEventKind.ToolCall && e.ToolName == "everything__get-sum");
    }

    [Fact]
    public async Task A_container_disposed_synchronously_stops_its_servers()
    {
        ServiceProvider provider = await StartAsync(new ScriptedChatClient(), o => o.Servers.Add(Node("everything", servers.Everything)));
        McpServerConnection connection = provider.GetRequiredService<McpServerManager>().GetConnection("everything");
        Assert.Equal(McpServerState.Running, connection.State);
        provider.Dispose();
        Assert.Equal(McpServerState.Stopped, connection.State);
    }

    [Fact]
    public async Task A_destructive_tool_is_denied_without_approval_and_the_file_is_not_written()
    {
        ScriptedChatClient model = new();
        RecordingAudit audit = new();
        ServiceProvider provider = await StartAsync(model, o => o.Servers.Add(Node("fs", servers.Filesystem, _root)), audit);
        RegisteredTool write = Registered(provider, "fs__write_file");
        Assert.True(write.RequiresApproval);
        Assert.Equal(SideEffect.Write, write.Metadata.SideEffect);

        string target = Path.Combine(_root, "written.txt");
        model.ReplyToolCall("fs__write_file", new { path = target, content = "x" }).ReplyText("done");
        RunResult result = await Run(provider, "fs__write_file");

        string text = Assert.Single(ToolResults(result));
        Assert.StartsWith("Error:", text, StringComparison.Ordinal);
        Assert.Contains("approval", text, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(target));
        Assert.Contains(audit.Events, e => e.Kind == AuditEventKind.ToolDenied && e.ToolName == "fs__write_file");
    }

    [Fact]
    public async Task Config_overrides_the_annotations_per_tool()
    {
        ScriptedChatClient model = new();
        ServiceProvider provider = await StartAsync(model, o =>
        {
            McpServerDefinition fs = Node("fs", servers.Filesystem, _root);
            McpToolOverride write = new() { NeedsApproval = false, SideEffect = SideEffect.External };
            write.RequiredScopes.Add("files:write");
            fs.Tools["write_file"] = write;
            o.Servers.Add(fs);
        });

        RegisteredTool tool = Registered(provider, "fs__write_file");
        Assert.False(tool.RequiresApproval);
        Assert.Equal(SideEffect.External, tool.Metadata.SideEffect);
        Assert.Equal(["files:write"], tool.Metadata.RequiredScopes);

        string target = Path.Combine(_root, "allowed.txt");
        model.ReplyToolCall("fs__write_file", new { path = target, content = "hello" }).ReplyText("done");
        RunResult result = await Run(provider, "fs__write_file", new CallerIdentity("writer", scopes: ["files:write"]));
        Assert.DoesNotContain("Error", Assert.Single(ToolResults(result)), StringComparison.Ordinal);
        Assert.Equal("hello", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task A_caller_without_the_scope_is_denied_before_any_MCP_traffic()
    {
        ScriptedChatClient model = new();
        ServiceProvider provider = await StartAsync(model, o =>
        {
            // Lazy: the process is only started by a call that passed the permission stages.
            McpServerDefinition server = Node("everything", servers.Everything);
            server.StartMode = McpServerStartMode.Lazy;
            server.RequiredScopes.Add("mcp:everything");
            // Before the server has run there are no annotations (MCP's defaults: destructive, needs approval); say what it is.
            server.Tools["echo"] = new McpToolOverride { Description = "Echoes the message.", SideEffect = SideEffect.Read, NeedsApproval = false };
            o.Servers.Add(server);
        });
        McpServerConnection connection = provider.GetRequiredService<McpServerManager>().GetConnection("everything");
        Assert.Equal(McpServerState.NotStarted, connection.State);

        model.ReplyToolCall("everything__echo", new { message = "hi" }).ReplyText("done");
        RunResult denied = await Run(provider, "everything__echo", new CallerIdentity("no-scope"));
        Assert.Contains("mcp:everything", Assert.Single(ToolResults(denied)), StringComparison.Ordinal);
        Assert.Equal(McpServerState.NotStarted, connection.State);
        Assert.Equal(0, connection.Starts);

        // With the scope the same call starts the server lazily and goes through; the real schema replaces the declared one.
        model.ReplyToolCall("everything__echo", new { message = "hi" }).ReplyText("done");
        RunResult allowed = await Run(provider, "everything__echo", new CallerIdentity("scoped", scopes: ["mcp:everything"]));
        Assert.Equal("Echo: hi", Assert.Single(ToolResults(allowed)));
        Assert.Equal(McpServerState.Running, connection.State);
        Assert.Contains("message", Registered(provider, "everything__echo").Function.JsonSchema.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_killed_mid_call_gives_a_readable_error_the_run_goes_on_and_the_server_restarts()
    {
        ScriptedChatClient model = new();
        string pidFile = Path.Combine(_root, "pid");
        ServiceProvider provider = await StartAsync(model, o =>
        {
            McpServerDefinition server = new("everything")
            {
                Command = "sh",
                RestartDelay = TimeSpan.FromMilliseconds(50),
            };
            server.Arguments.Add("-c");
            server.Arguments.Add($"echo $$ > '{pidFile}'; exec node '{servers.Everything}'");
            o.Servers.Add(server);
        });
        McpServerConnection connection = provider.GetRequiredService<McpServerManager>().GetConnection("everything");
        int pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        model.ReplyToolCall("everything__trigger-long-running-operation", new { duration = 60, steps = 2 })
             .ReplyToolCall("everything__echo", new { message = "after the crash" })
             .ReplyText("finished anyway");
        Executor executor = provider.GetRequiredService<Executor>();
        List<RunEvent> events = [];
        await foreach (RunEvent e in executor.RunStreamingAsync(new RunRequest(Agent("everything__trigger-long-running-operation", "everything__echo"), "go")))
        {
            events.Add(e);
            if (e is ToolCallStartedEvent started && started.Call.Name == "everything__trigger-long-running-operation")
            {
                using Process victim = Process.GetProcessById(pid);
                victim.Kill();
            }
        }

        RunFinishedEvent finished = Assert.Single(events.OfType<RunFinishedEvent>());
        Assert.Equal(RunOutcome.Completed, finished.Result.Outcome);
        List<string> results = ToolResults(finished.Result);
        Assert.StartsWith("Error:", results[0], StringComparison.Ordinal);
        Assert.Contains("MCP server 'everything'", results[0], StringComparison.Ordinal);
        Assert.Contains("went away", results[0], StringComparison.Ordinal);

        await connection.WaitForStateAsync(McpServerState.Running).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, connection.Starts);
        model.ReplyToolCall("everything__echo", new { message = "restarted" }).ReplyText("ok");
        RunResult after = await Run(provider, "everything__echo");
        Assert.Contains("restarted", Assert.Single(ToolResults(after)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tools_list_changed_notification_updates_the_registry()
    {
        ScriptedChatClient model = new();
        ServiceProvider provider = await StartAsync(model, o => o.Servers.Add(Node("dyn", servers.ListChangingServer, servers.Folder)));
        McpServerConnection connection = provider.GetRequiredService<McpServerManager>().GetConnection("dyn");
        Assert.False(provider.GetRequiredService<IToolRegistry>().TryGet("dyn__added-tool", out _));

        TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ToolsChanged += (_, _) =>
        {
            if (connection.ToolNames.Contains("dyn__added-tool"))
            {
                changed.TrySetResult();
            }
        };
        model.ReplyToolCall("dyn__add-tool").ReplyText("added");
        await Run(provider, "dyn__add-tool");
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        model.ReplyToolCall("dyn__added-tool").ReplyText("done");
        RunResult result = await Run(provider, "dyn__added-tool");
        Assert.Equal("hello from the added tool", Assert.Single(ToolResults(result)));
    }

    [Fact]
    public async Task Large_results_cross_stdio_intact_and_are_capped_with_a_visible_note()
    {
        string big = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i:D6} of a large file\n"));
        await File.WriteAllTextAsync(Path.Combine(_root, "big.txt"), big);
        ScriptedChatClient model = new();
        ServiceProvider provider = await StartAsync(model, o =>
        {
            McpServerDefinition whole = Node("fs", servers.Filesystem, _root);
            whole.MaxResultChars = 2_000_000;
            o.Servers.Add(whole);
            McpServerDefinition capped = Node("fscap", servers.Filesystem, _root);
            capped.MaxResultChars = 10_000;
            o.Servers.Add(capped);
        });

        model.ReplyToolCall("fs__read_text_file", new { path = Path.Combine(_root, "big.txt") }).ReplyText("read");
        // Why the event: the run's compaction later trims large results in the transcript; the event has what the tool returned.
        string whole = await CompletedToolResultAsync(provider, "fs__read_text_file");
        Assert.True(big.Length > 1_000_000);
        Assert.Equal(big, whole);

        model.ReplyToolCall("fscap__read_text_file", new { path = Path.Combine(_root, "big.txt") }).ReplyText("read");
        string capped = await CompletedToolResultAsync(provider, "fscap__read_text_file");
        Assert.StartsWith(big[..10_000], capped, StringComparison.Ordinal);
        Assert.Contains($"[truncated: showing 10,000 of {big.Length:N0} characters]", capped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_fails_to_start_names_server_and_command_while_the_others_keep_working()
    {
        ScriptedChatClient model = new();
        ServiceProvider provider = await StartAsync(model, o =>
        {
            o.Servers.Add(new McpServerDefinition("broken") { Command = "/nonexistent/mcp-server-binary", MaxRestartAttempts = 0 });
            o.Servers.Add(Node("everything", servers.Everything));
        });
        McpServerManager manager = provider.GetRequiredService<McpServerManager>();
        McpServerConnection broken = manager.GetConnection("broken");
        Assert.Equal(McpServerState.Failed, broken.State);
        McpServerException error = Assert.IsType<McpServerException>(broken.LastError);
        Assert.Equal("broken", error.ServerName);
        Assert.Contains("/nonexistent/mcp-server-binary", error.Message, StringComparison.Ordinal);
        Assert.Contains("MCP server 'broken'", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<McpServerException>(() => broken.StartAsync());

        model.ReplyToolCall("everything__echo", new { message = "still here" }).ReplyText("ok");
        Assert.Contains("still here", Assert.Single(ToolResults(await Run(provider, "everything__echo"))), StringComparison.Ordinal);
    }

    private async Task<ServiceProvider> StartAsync(ScriptedChatClient model, Action<McpServersOptions> configure, IAudit? audit = null)
    {
        ServiceCollection services = new();
        IExecutusBuilder builder = services.AddExecutus().UseChatClient(model).AddMcpServers(configure);
        if (audit is not null)
        {
            builder.UseAudit(audit);
        }

        ServiceProvider provider = services.BuildServiceProvider();
        _providers.Add(provider);
        await provider.GetRequiredService<McpServerManager>().StartAsync();
        return provider;
    }

    internal static McpServerDefinition Node(string name, string script, params string[] args)
    {
        McpServerDefinition server = new(name) { Command = "node" };
        server.Arguments.Add(script);
        foreach (string arg in args)
        {
            server.Arguments.Add(arg);
        }

        return server;
    }

    internal static RunnableAgent Agent(params string[] tools) => new("mcp-user") { Tools = tools, Instructions = "Use the tools." };

    private static Task<RunResult> Run(ServiceProvider provider, string tool, CallerIdentity? caller = null) =>
        provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent(tool), "go") { Caller = caller });

    private static async Task<string> CompletedToolResultAsync(ServiceProvider provider, string tool)
    {
        string? result = null;
        await foreach (RunEvent e in provider.GetRequiredService<Executor>().RunStreamingAsync(new RunRequest(Agent(tool), "go")))
        {
            if (e is ToolCallCompletedEvent completed)
            {
                result = completed.Result.Result?.ToString();
            }
        }

        return result ?? throw new Xunit.Sdk.XunitException("No tool call completed.");
    }

    private static RegisteredTool Registered(ServiceProvider provider, string name) =>
        provider.GetRequiredService<IToolRegistry>().TryGet(name, out RegisteredTool? tool) ? tool : throw new Xunit.Sdk.XunitException($"'{name}' is not registered.");

    internal static List<string> ToolResults(RunResult result) =>
        [.. result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? string.Empty)];
}

internal sealed class RecordingAudit : IAudit
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}
