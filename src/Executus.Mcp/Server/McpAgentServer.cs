using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Executus.Mcp;

/// <summary>
/// Serves agents from an <see cref="IAgentCatalog"/> as MCP tools: one tool per agent (input text → run → final text,
/// with the run id in the result's <c>_meta</c>). Each call is an ordinary <see cref="Executor"/> run, so budgets,
/// permissions, the dispatch guard and audit apply as for any run; the caller comes from the session (HTTP: the
/// API-key mapping; stdio: <see cref="McpAgentServerOptions.StdioCaller"/> or the host's caller resolver).
/// </summary>
public sealed partial class McpAgentServer
{
    /// <summary>The <c>_meta</c> key of the run id in a tool result.</summary>
    public const string RunIdMetaKey = "executus/runId";

    /// <summary>The <c>_meta</c> key of the run outcome in a tool result.</summary>
    public const string OutcomeMetaKey = "executus/outcome";

    private static readonly JsonElement InputSchema = JsonDocument.Parse("""
        {"type":"object","properties":{"input":{"type":"string","description":"The task or question for the agent, as plain text."}},"required":["input"]}
        """).RootElement.Clone();

    private readonly IAgentCatalog _catalog;
    private readonly Executor _executor;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="McpAgentServer"/> class.</summary>
    /// <param name="catalog">Where the served agents come from.</param>
    /// <param name="executor">Runs them.</param>
    /// <param name="options">Which agents, which keys.</param>
    /// <param name="loggerFactory">Logs.</param>
    public McpAgentServer(IAgentCatalog catalog, Executor executor, McpAgentServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(executor);
        _catalog = catalog;
        _executor = executor;
        Options = options ?? new McpAgentServerOptions();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<McpAgentServer>();
    }

    /// <summary>Gets the options.</summary>
    public McpAgentServerOptions Options { get; }

    /// <summary>Gets the MCP tool name of an agent: its name in the characters MCP and model APIs accept.</summary>
    /// <param name="agentName">The agent's catalog name.</param>
    /// <returns>The tool name.</returns>
    public static string GetToolName(string agentName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        return McpToolNames.Sanitize(agentName);
    }

    /// <summary>Builds the MCP server options (server info, tools capability and the list/call handlers).</summary>
    /// <returns>Options for <c>McpServer.Create</c>.</returns>
    public McpServerOptions CreateServerOptions()
    {
        McpServerOptions options = new();
        Configure(options);
        return options;
    }

    /// <summary>The authentication scheme of the HTTP endpoint's API-key check.</summary>
    public const string AuthenticationScheme = "ExecutusMcpApiKey";

    /// <summary>Fills in server info, the tools capability and the handlers (also used for the HTTP server's options).</summary>
    internal void Configure(McpServerOptions options)
    {
        options.ServerInfo = new Implementation { Name = Options.ServerName, Version = typeof(McpAgentServer).Assembly.GetName().Version?.ToString() ?? "0" };
        options.Capabilities ??= new ServerCapabilities();
        options.Capabilities.Tools ??= new ToolsCapability();
        options.Handlers.ListToolsHandler = ListToolsAsync;
        options.Handlers.CallToolHandler = CallToolAsync;
    }

    /// <summary>Serves over this process's standard input and output until the client disconnects or
    /// <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>A task that completes when the session ends.</returns>
    public async Task RunStdioAsync(CancellationToken cancellationToken = default)
    {
        McpServerOptions options = CreateServerOptions();
        StdioServerTransport transport = new(options, _loggerFactory);
        await using (transport.ConfigureAwait(false))
        {
            await RunAsync(transport, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves one session over a pair of streams (MCP's stdio framing: one JSON-RPC message per line).</summary>
    /// <param name="input">What the client writes.</param>
    /// <param name="output">What the client reads.</param>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <returns>A task that completes when the session ends.</returns>
    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        McpServerOptions options = CreateServerOptions();
        StreamServerTransport transport = new(input, output, Options.ServerName, _loggerFactory);
        await using (transport.ConfigureAwait(false))
        {
            await RunAsync(transport, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks an HTTP request's API key (<c>Authorization: Bearer …</c> or <c>X-Api-Key</c>) in constant time.</summary>
    /// <param name="presented">The key the client sent, or <see langword="null"/>.</param>
    /// <returns>The caller the key maps to; <see cref="CallerIdentity.Anonymous"/> for no key when anonymous access is
    /// allowed; <see langword="null"/> when refused.</returns>
    public CallerIdentity? AuthenticateApiKey(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return Options.AllowAnonymous ? CallerIdentity.Anonymous : null;
        }

        byte[] given = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        CallerIdentity? match = null;
        foreach (McpApiKey key in Options.ApiKeys)
        {
            // Why: compare hashes in fixed time and look at every key, so timing tells nothing about the keys.
            if (CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                match ??= key.Caller;
            }
        }

        return match;
    }

    private async Task RunAsync(ITransport transport, McpServerOptions options, CancellationToken cancellationToken)
    {
        McpServer server = McpServer.Create(transport, options, _loggerFactory);
        await using (server.ConfigureAwait(false))
        {
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> context, CancellationToken cancellationToken)
    {
        IReadOnlyList<RunnableAgent> agents = await ServedAgentsAsync(cancellationToken).ConfigureAwait(false);
        return new ListToolsResult
        {
            Tools = [.. agents.Select(a => new Tool
            {
                Name = GetToolName(a.Name),
                Description = a.Description ?? $"Runs the Executus agent '{a.Name}' on the input text and returns its final answer.",
                InputSchema = InputSchema,
                Annotations = new ToolAnnotations { Title = a.Name, ReadOnlyHint = false, OpenWorldHint = true },
            })],
        };
    }

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        string toolName = context.Params?.Name ?? string.Empty;
        RunnableAgent agent = (await ServedAgentsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(a => GetToolName(a.Name) == toolName)
            ?? throw new McpProtocolException($"Unknown tool: '{toolName}'.", McpErrorCode.InvalidParams);

        if (context.Params?.Arguments is not { } arguments || !arguments.TryGetValue("input", out JsonElement inputElement) || inputElement.ValueKind != JsonValueKind.String)
        {
            return Error($"Error: tool '{toolName}' needs a string argument 'input'.");
        }

        string input = inputElement.GetString()!;
        if (input.Length > Options.MaxInputChars)
        {
            return Error(string.Create(CultureInfo.InvariantCulture, $"Error: the input has {input.Length:N0} characters; at most {Options.MaxInputChars:N0} are accepted."));
        }

        bool http = context.User?.Identities.Any(i => i.IsAuthenticated) == true;
        McpCallerContext callerContext = new()
        {
            Transport = http ? "http" : "stdio",
            SessionId = context.Server.SessionId,
            ClientName = context.Server.ClientInfo?.Name,
            ClientVersion = context.Server.ClientInfo?.Version,
            ToolName = toolName,
        };
        CallerIdentity? caller = McpCallerPrincipal.From(context.User) ?? (http ? null : Options.StdioCaller);
        Dictionary<string, string> metadata = new(StringComparer.Ordinal) { ["executus.mcp.tool"] = toolName };
        if (callerContext.SessionId is { } session)
        {
            metadata["executus.mcp.session"] = session;
        }

        if (callerContext.ClientName is { } client)
        {
            metadata["executus.mcp.client"] = client;
        }

        RunResult result = await _executor.RunAsync(
            new RunRequest(agent, input) { Caller = caller, CallerContext = callerContext, Metadata = metadata },
            cancellationToken).ConfigureAwait(false);
        LogServed(_logger, agent.Name, result.RunId, result.Outcome, callerContext.Transport);

        string text = result.Succeeded
            ? result.Text
            : $"Error: the run of agent '{agent.Name}' ended {result.Outcome}{(result.StopReason is { } why ? $" ({why})" : string.Empty)}{(result.Error is { } e ? $": {e.Message}" : string.Empty)}."
              + (string.IsNullOrEmpty(result.Text) ? string.Empty : "\n" + result.Text);
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            IsError = !result.Succeeded,
            Meta = new JsonObject
            {
                [RunIdMetaKey] = result.RunId,
                [OutcomeMetaKey] = result.Outcome.ToString(),
                ["executus/iterations"] = result.Iterations,
            },
        };
    }

    private static CallToolResult Error(string text) => new() { Content = [new TextContentBlock { Text = text }], IsError = true };

    private async ValueTask<IReadOnlyList<RunnableAgent>> ServedAgentsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<RunnableAgent> all = await _catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        return Options.Agents.Count == 0 ? all : [.. all.Where(a => Options.Agents.Contains(a.Name, StringComparer.Ordinal))];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP call ran agent '{Agent}' as run {RunId}: {Outcome} (over {Transport}).")]
    private static partial void LogServed(ILogger logger, string agent, string runId, RunOutcome outcome, string transport);
}
