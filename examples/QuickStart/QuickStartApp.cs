using System.Globalization;
using System.Text;
using Executus;
using Executus.Configuration;
using Executus.Mcp;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace QuickStart;

/// <summary>The QuickStart example as a callable entry point (the tests run it too).</summary>
public static class QuickStartApp
{
    /// <summary>The most bytes <c>read_file</c> returns; the rest is cut with a visible marker (a tool result is model context).</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Runs the example, writing what happens to <paramref name="output"/>.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="config">Configuration; the environment when null.</param>
    /// <param name="phased">
    /// Whether to run the phased agent (gather → judge → report); when null, <c>QuickStart:Phased</c> from
    /// <paramref name="config"/> (default false).
    /// </param>
    /// <returns>The process exit code: 0 when the run completed.</returns>
    public static async Task<int> RunAsync(TextWriter output, IConfigSource? config = null, bool? phased = null)
    {
        config ??= EnvironmentConfigSource.Instance;
        bool realModel = config.TryGet("Executus:Models:Tiers:default", out string? tier);
        bool usePhases = phased ?? config.GetBool("QuickStart:Phased", false);
        string notes = Path.Combine(AppContext.BaseDirectory, "notes");

        // With QuickStart:McpFilesystem set (the path of @modelcontextprotocol/server-filesystem's dist/index.js, or
        // "npx"), files are read by that MCP server instead of the built-in read_file. The server may read the whole app
        // folder; Executus's sandbox validator on its read tool confines the agent to notes/.
        string? mcpFilesystem = config.GetString("QuickStart:McpFilesystem");
        string readTool = mcpFilesystem is null ? "read_file" : "fs__read_text_file";

        var services = new ServiceCollection();
        IExecutusBuilder executus = services.AddExecutus()
            .UseConfigSource(config)
            .AddOpenAIProvider()
            .AddTool(AIFunctionFactory.Create(Clock, "clock", "The current time in an IANA time zone such as UTC or Europe/Paris."))
            .AddTool(AIFunctionFactory.Create(Calculate, "calculator", "Applies + - * / to two numbers."))
            .AddTool(
                AIFunctionFactory.Create(
                    (string path, CancellationToken cancellationToken) => ReadNoteAsync(notes, path, MaxFileBytes, cancellationToken),
                    "read_file",
                    "Reads a text file from the notes folder. Long files are cut with a [truncated] marker."),
                new ToolMetadata { Category = "files", Validators = [new SandboxPathValidator(notes, "path")] });
        if (mcpFilesystem is not null)
        {
            executus.AddMcpServers(mcp => mcp.Servers.Add(FilesystemServer(mcpFilesystem, notes)));
        }

        // Why an absolute path with MCP: the filesystem server resolves relative paths against its own root (the app folder).
        using ScriptedChatClient scripted = usePhases ? PhasedScript() : Script(readTool, mcpFilesystem is null ? "todo.txt" : Path.Combine(notes, "todo.txt"));
        if (!realModel)
        {
            executus.UseChatClient(scripted);
        }

        await using ServiceProvider provider = services.BuildServiceProvider();
        if (mcpFilesystem is not null)
        {
            McpServerManager mcp = provider.GetRequiredService<McpServerManager>();
            await mcp.StartAsync();
            McpServerConnection fs = mcp.GetConnection("fs");
            await output.WriteLineAsync(fs.State == McpServerState.Running
                ? $"MCP filesystem server: {fs.ToolNames.Count} tools; the agent gets {readTool}, confined to notes/ by Executus."
                : $"MCP filesystem server unavailable: {fs.LastError?.Message}");
        }

        Executor executor = provider.GetRequiredService<Executor>();
        var agent = new RunnableAgent("quickstart")
        {
            Instructions = "You are a concise assistant. Use the tools; never guess the time." +
                (mcpFilesystem is null ? string.Empty : $" The notes folder is {notes}; give {readTool} absolute paths."),
            Tools = ["clock", "calculator", readTool],
            AllowConcurrentToolCalls = true,
            MaxIterations = 6,
            Timeout = TimeSpan.FromMinutes(2),
        };
        string question = "What time is it in UTC, what is 6 times 7, and what is on my todo list (todo.txt)?";
        if (usePhases)
        {
            agent = Phased(agent, smartTier: config.TryGet("Executus:Models:Tiers:smart", out _) ? "smart" : null);
            question = "Go through my todo list (todo.txt) and tell me what to do first today.";
        }

        await output.WriteLineAsync(realModel
            ? $"Executus QuickStart — on a REAL model (tier 'default' = {tier})."
            : "Executus QuickStart — offline, on a SCRIPTED model (no network, no API key). Set Executus__Models__Tiers__default for a real one.");

        RunResult? result = null;
        await foreach (RunEvent e in executor.RunStreamingAsync(new RunRequest(agent, question)))
        {
            string? line = e switch
            {
                StepStartedEvent s => $"— step {s.Iteration}",
                ToolCallStartedEvent t => $"  tool call   {t.Call.Name}({string.Join(", ", t.Call.Arguments?.Select(a => $"{a.Key}={(a.Value is string or null ? a.Value : System.Text.Json.JsonSerializer.Serialize(a.Value))}") ?? [])})",
                ToolCallCompletedEvent t => $"  tool {(t.Failed ? "ERROR " : "result")} {t.Result.Result}",
                ModelCallCompletedEvent m => $"  model call  {m.Response.ModelId}, {m.Response.Usage?.TotalTokenCount ?? 0} tokens",
                PhaseStartedEvent p => $"== phase {p.Phase} ({p.Index + 1} of {agent.Phases.Count})",
                PhaseEndedEvent p => $"== phase {p.Phase.Name} {p.Phase.Status.ToString().ToLowerInvariant()}, hand-off: {p.Phase.Handoff?.GetRawText() ?? "(none)"}",
                RunFinishedEvent f => null,
                _ => null,
            };
            if (line is not null)
            {
                await output.WriteLineAsync(line.ReplaceLineEndings(" "));
            }

            if (e is RunFinishedEvent finished)
            {
                result = finished.Result;
            }
        }

        await output.WriteLineAsync($"answer: {result!.Text}");
        await output.WriteLineAsync($"outcome: {result.Outcome}, model calls: {result.Iterations}, tokens: {result.Usage.TotalTokenCount ?? 0}, run: {result.RunId}");
        foreach (PhaseRun phase in result.Phases)
        {
            await output.WriteLineAsync($"phase {phase.Name}: {phase.Status}, model calls: {phase.Iterations}, tokens: {phase.Usage.TotalTokenCount ?? 0}");
        }

        if (!result.Succeeded)
        {
            // A failed run says why: the stop reason and the error chain (a dead endpoint, a tier without "provider:"…).
            await output.WriteLineAsync($"stop reason: {result.StopReason ?? "(none given)"}");
            for (Exception? error = result.Error; error is not null; error = error.InnerException)
            {
                string message = error.Message == result.StopReason ? "(the stop reason above)" : error.Message;
                await output.WriteLineAsync($"{(ReferenceEquals(error, result.Error) ? "error" : "  caused by")}: {error.GetType().Name}: {message}".ReplaceLineEndings(" "));
            }
        }

        return result.Succeeded ? 0 : 1;
    }

    /// <summary>
    /// The <c>read_file</c> tool: reads at most <paramref name="maxBytes"/> of a file under <paramref name="folder"/> (the
    /// sandbox validator has already refused escapes, links out, FIFOs and devices) and marks a cut visibly.
    /// </summary>
    /// <param name="folder">The sandbox folder.</param>
    /// <param name="path">The path the model asked for, relative to <paramref name="folder"/>.</param>
    /// <param name="maxBytes">The most bytes returned.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The text, with a <c>[truncated: …]</c> line when the file is longer.</returns>
    public static async Task<string> ReadNoteAsync(string folder, string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        await using FileStream file = new(Path.Combine(folder, path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        byte[] buffer = new byte[maxBytes];
        int read = await file.ReadAtLeastAsync(buffer, maxBytes, throwOnEndOfStream: false, cancellationToken);

        // Why: a decoder that is not flushed keeps a UTF-8 sequence cut at the limit instead of emitting U+FFFD.
        char[] chars = new char[Encoding.UTF8.GetMaxCharCount(read)];
        string text = new(chars, 0, Encoding.UTF8.GetDecoder().GetChars(buffer, 0, read, chars, 0, flush: read < maxBytes));
        long length = file.Length;
        return read < maxBytes || length <= maxBytes
            ? text
            : text + string.Create(CultureInfo.InvariantCulture, $"\n\n[truncated: the file is {length} bytes; only the first {maxBytes} bytes are shown]");
    }

    private static McpServerDefinition FilesystemServer(string server, string notes)
    {
        McpServerDefinition fs = new("fs") { WorkingDirectory = notes };
        if (server == "npx")
        {
            fs.Command = "npx";
            fs.Arguments.Add("-y");
            fs.Arguments.Add("@modelcontextprotocol/server-filesystem");
        }
        else
        {
            fs.Command = "node";
            fs.Arguments.Add(server);
        }

        fs.Arguments.Add(AppContext.BaseDirectory);
        McpToolOverride read = new();
        read.Validators.Add(new SandboxPathValidator(notes, "path"));
        fs.Tools["read_text_file"] = read;
        return fs;
    }

    /// <summary>
    /// The phased variant: gather (reads the notes and the clock, ends with <c>finish_phase</c> and a free-text hand-off)
    /// → judge (no tools, a strong tier when <c>smart</c> is configured, a hand-off checked against a schema) → report
    /// (answers the user from the hand-offs).
    /// </summary>
    private static RunnableAgent Phased(RunnableAgent agent, string? smartTier) => agent with
    {
        MaxIterations = 8,
        Phases =
        [
            new AgentPhase("gather")
            {
                Instructions = "Collect the facts: read todo.txt and the time in UTC. Do not judge yet.",
                Tools = ["read_file", "clock"],
                MaxIterations = 3,
            },
            new AgentPhase("judge")
            {
                Instructions = "Decide which items are urgent today and which can wait.",
                Tools = [],
                Tier = smartTier,
                HandoffSchema = System.Text.Json.JsonDocument.Parse("""
                    {"type":"object","properties":{"urgent":{"type":"array","items":{"type":"string"}},"later":{"type":"array","items":{"type":"string"}}},"required":["urgent","later"]}
                    """).RootElement.Clone(),
                MaxIterations = 3,
            },
            new AgentPhase("report")
            {
                Instructions = "Tell the user, in two sentences, what to do first and what can wait.",
                Tools = [],
                CompletesWhen = PhaseCompletion.Answer,
            },
        ],
    };

    private static string Clock(string zone) =>
        TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private static double Calculate(double a, double b, string op) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        _ => throw new ArgumentException($"Unknown operator '{op}'; use + - * /.", nameof(op)),
    };

    // The offline phased model: gathers with two tools at once, hands the facts on, judges (its first hand-off misses
    // 'later' and is sent back with the error), then reports from the judged hand-off.
    private static ScriptedChatClient PhasedScript()
    {
        var model = new ScriptedChatClient("scripted-quickstart");
        var usage = new UsageDetails { InputTokenCount = 90, OutputTokenCount = 12, TotalTokenCount = 102 };
        string[] items = [];
        model.ReplyToolCalls([new("c1", "read_file", new Dictionary<string, object?> { ["path"] = "todo.txt" }), new("c2", "clock", new Dictionary<string, object?> { ["zone"] = "UTC" })], usage)
            .Reply(request =>
            {
                items = request.FunctionResults.First(r => r.CallId == "c1").Result!.ToString()!
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.TrimEnd('.')).ToArray();
                return model.CreateResponse([new FunctionCallContent("f1", AgentPhase.FinishPhaseToolName, new Dictionary<string, object?> { ["handoff"] = "Todo: " + string.Join("; ", items) })], usage);
            })
            .Reply(_ => model.CreateResponse([new FunctionCallContent("f2", AgentPhase.FinishPhaseToolName, new Dictionary<string, object?> { ["handoff"] = new Dictionary<string, object?> { ["urgent"] = items[1..2] } })], usage))
            .Reply(_ => model.CreateResponse([new FunctionCallContent("f3", AgentPhase.FinishPhaseToolName, new Dictionary<string, object?> { ["handoff"] = new Dictionary<string, object?> { ["urgent"] = items[1..2], ["later"] = items[0..1].Concat(items[2..]).ToArray() } })], usage))
            .Reply(_ => model.CreateResponse([new TextContent($"First: {items[1]}. It can wait: {string.Join(", ", items[0..1].Concat(items[2..]))}.")], usage));
        return model;
    }

    // The offline model: it asks for two tools at once, tries a path outside the sandbox (and is refused), then
    // reads the right file and answers from what the tools really returned.
    private static ScriptedChatClient Script(string readTool, string todoPath)
    {
        var model = new ScriptedChatClient("scripted-quickstart");
        var usage = new UsageDetails { InputTokenCount = 90, OutputTokenCount = 12, TotalTokenCount = 102 };
        model.ReplyToolCalls([new("c1", "clock", new Dictionary<string, object?> { ["zone"] = "UTC" }), new("c2", "calculator", new Dictionary<string, object?> { ["a"] = 6, ["b"] = 7, ["op"] = "*" })], usage)
            .ReplyToolCall(readTool, new { path = "../../../etc/passwd" }, usage: usage)
            .ReplyToolCall(readTool, new { path = todoPath }, usage: usage)
            .Reply(request =>
            {
                Dictionary<string, string> results = request.FunctionResults.ToDictionary(r => r.CallId, r => r.Result?.ToString() ?? "");
                string todo = string.Join("; ", results.Values.Last().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => t.TrimEnd('.')));
                return model.CreateResponse(
                    [new TextContent($"It is {results["c1"]}; 6 × 7 = {results["c2"]}. Your todo list: {todo}.")],
                    usage);
            });
        return model;
    }
}
