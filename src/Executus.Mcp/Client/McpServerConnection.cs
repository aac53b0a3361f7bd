using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Executus.Mcp;

/// <summary>
/// One configured MCP server: starts it (now or at first use), registers its tools in the <see cref="IToolRegistry"/>,
/// keeps them current on <c>notifications/tools/list_changed</c>, forwards calls with a timeout and a result cap, and
/// restarts it with back-off when it crashes. Created and owned by <see cref="McpServerManager"/>.
/// </summary>
public sealed partial class McpServerConnection : IAsyncDisposable
{
    private static readonly JsonElement LooseSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();

    private readonly string _separator;
    private readonly IToolRegistry _registry;
    private readonly ISafeHttpClientFactory? _safeHttp;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly McpTelemetry _telemetry;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, McpToolFunction> _registered = new(StringComparer.Ordinal);
    private McpClient? _client;
    private Task _restartLoop = Task.CompletedTask;
    private volatile McpServerState _state = McpServerState.NotStarted;
    private int _failedAttempts;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal McpServerConnection(
        McpServerDefinition definition,
        string separator,
        IToolRegistry registry,
        ISafeHttpClientFactory? safeHttpClientFactory,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory,
        McpTelemetry telemetry)
    {
        Definition = definition;
        _separator = separator;
        _registry = registry;
        _safeHttp = safeHttpClientFactory;
        _time = timeProvider;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<McpServerConnection>();
        _telemetry = telemetry;
    }

    /// <summary>Raised after the server's tools were (re)registered: at start, after a restart, on a list change.</summary>
    public event EventHandler? ToolsChanged;

    /// <summary>Gets the server's configured name.</summary>
    public string Name => Definition.Name;

    /// <summary>Gets the server's definition.</summary>
    public McpServerDefinition Definition { get; }

    /// <summary>Gets the current state.</summary>
    public McpServerState State => _state;

    /// <summary>Gets the last start or crash error (an <see cref="McpServerException"/> naming the server and its command
    /// or URL), or <see langword="null"/> while it has not failed.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Gets how many times the server was (re)started successfully.</summary>
    public int Starts { get; private set; }

    /// <summary>Gets the registry names of the tools this server has registered now.</summary>
    public IReadOnlyList<string> ToolNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _registered.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Gets the registry name of one of the server's tools (<c>{prefix}{separator}{tool}</c>).</summary>
    /// <param name="mcpToolName">The server's own tool name.</param>
    /// <returns>The name the tool is (or would be) registered under.</returns>
    public string GetToolName(string mcpToolName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mcpToolName);
        return McpToolNames.Create(Definition.Prefix ?? Definition.Name, _separator, mcpToolName);
    }

    /// <summary>Waits until the server reaches <paramref name="state"/>.</summary>
    /// <param name="state">The state to wait for.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the state is reached.</returns>
    public async Task WaitForStateAsync(McpServerState state, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_state == state)
                {
                    return;
                }

                changed = _stateChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the server unless it is running: launches the process (or opens the HTTP session), initialises
    /// MCP, lists the tools and registers them.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server runs.</returns>
    /// <exception cref="McpServerException">The server could not be started (names the server and its command or URL).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is not null)
            {
                return;
            }

            ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
            await StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <summary>Registers the tools named in the definition of a lazy server, before it has started.</summary>
    internal void RegisterDeclaredTools()
    {
        foreach ((string mcpName, McpToolOverride tool) in Definition.Tools)
        {
            RegisterOne(mcpName, tool.Description, LooseSchema, annotations: null);
        }
    }

    /// <summary>Calls one tool on the current session.</summary>
    internal async Task<string> CallToolAsync(string mcpName, AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        McpClient client = await GetClientForCallAsync(mcpName, cancellationToken).ConfigureAwait(false);
        using CancellationTokenSource timeout = new(Definition.CallTimeout, _time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        CallToolResult result;
        try
        {
            result = await client.CallToolAsync(mcpName, arguments, cancellationToken: linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _telemetry.Call(Name, "cancelled");
            throw;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            _telemetry.Call(Name, "timeout");
            throw new McpToolException(Name, mcpName, $"no answer within {Format(Definition.CallTimeout)} (CallTimeout); the call's effect is unknown.", ex);
        }
        catch (McpProtocolException ex)
        {
            _telemetry.Call(Name, "error");
            throw new McpToolException(Name, mcpName, $"the server refused the call: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not McpToolException)
        {
            // Why: a transport failure (the process exited, the HTTP session broke) surfaces as various exception
            // types; the client's completion is what tells a crash from a one-off error.
            if (await HasEndedAsync(client).ConfigureAwait(false))
            {
                _telemetry.Call(Name, "crashed");
                OnSessionEnded(client, ex);
                throw new McpToolException(Name, mcpName, $"the server went away during the call ({Describe(client, ex)}); it is being restarted. The call's effect is unknown.", ex);
            }

            _telemetry.Call(Name, "error");
            throw new McpToolException(Name, mcpName, $"the call failed: {ex.Message}", ex);
        }

        string text = McpResultText.Format(result);
        if (result.IsError == true)
        {
            _telemetry.Call(Name, "tool_error");
            throw new McpToolException(Name, mcpName, "the tool reported an error: " + McpResultText.Cap(text, Math.Min(Definition.MaxResultChars, 4_000)));
        }

        _telemetry.Call(Name, "ok");
        return McpResultText.Cap(text, Definition.MaxResultChars);
    }

    /// <summary>Stops the server (the process is ended) and leaves its tools registered but unusable.</summary>
    /// <returns>A task that completes when the session is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        McpClient? client;
        lock (_gate)
        {
            client = _client;
            _client = null;
        }

        SetState(McpServerState.Stopped);
        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _restartLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The restart loop ends with the shutdown token.
        }

        _shutdown.Dispose();
        _startGate.Dispose();
    }

    private async Task<McpClient> GetClientForCallAsync(string mcpName, CancellationToken cancellationToken)
    {
        if (_client is { } running)
        {
            return running;
        }

        switch (_state)
        {
            case McpServerState.NotStarted:
            case McpServerState.Starting:
                try
                {
                    await StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (McpServerException ex)
                {
                    throw new McpToolException(Name, mcpName, ex.Message, ex);
                }

                return _client ?? throw new McpToolException(Name, mcpName, "the server stopped while starting.");
            case McpServerState.Restarting:
                throw new McpToolException(Name, mcpName, $"the server is restarting after a failure ({LastError?.Message}); try again shortly.");
            case McpServerState.Failed:
                throw new McpToolException(Name, mcpName, $"the server is not available: {LastError?.Message}", LastError);
            default:
                throw new McpToolException(Name, mcpName, "the server was stopped with the host.");
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any start failure becomes a typed McpServerException naming the server.")]
    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        SetState(McpServerState.Starting);
        using CancellationTokenSource timeout = new(Definition.StartTimeout, _time);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _shutdown.Token);
        McpClient? client = null;
        try
        {
            IClientTransport transport = CreateTransport();
            McpClientOptions options = new()
            {
                ClientInfo = new Implementation { Name = "executus", Version = typeof(McpServerConnection).Assembly.GetName().Version?.ToString() ?? "0" },
                Handlers = new McpClientHandlers
                {
                    NotificationHandlers =
                    [
                        new(NotificationMethods.ToolListChangedNotification, (_, _) =>
                        {
                            _ = RefreshToolsAsync();
                            return ValueTask.CompletedTask;
                        }),
                    ],
                },
            };
            client = await McpClient.CreateAsync(transport, options, _loggerFactory, linked.Token).ConfigureAwait(false);
            IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: linked.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _client = client;
                _failedAttempts = 0;
                LastError = null;
                Starts++;
            }

            Sync(tools);
            _ = WatchAsync(client);
            SetState(McpServerState.Running);
            _telemetry.Started(Name);
            LogStarted(_logger, Name, Definition.Target, tools.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            string why = ex is OperationCanceledException && timeout.IsCancellationRequested
                ? $"did not start within {Format(Definition.StartTimeout)} (StartTimeout)"
                : $"failed to start: {ex.Message}";
            McpServerException error = new(Name, Definition.Target, why, ex);
            LastError = error;
            _telemetry.StartFailed(Name);
            LogStartFailed(_logger, error, Name, Definition.Target);
            ScheduleRestart();
            throw error;
        }
    }

    private IClientTransport CreateTransport()
    {
        if (Definition.Url is { } url)
        {
            HttpClient http = Definition.AllowPrivateNetwork || _safeHttp is null
                ? new HttpClient()
                : _safeHttp.CreateClient();
            return new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = url,
                    Name = Name,
                    TransportMode = HttpTransportMode.StreamableHttp,
                    AdditionalHeaders = new Dictionary<string, string>(Definition.Headers, StringComparer.OrdinalIgnoreCase),
                },
                http,
                _loggerFactory,
                ownsHttpClient: true);
        }

        Dictionary<string, string?> environment = new(StringComparer.Ordinal);
        foreach ((string key, string value) in Definition.Environment)
        {
            environment[key] = value;
        }

        return new StdioClientTransport(
            new StdioClientTransportOptions
            {
                Name = Name,
                Command = Definition.Command!,
                Arguments = [.. Definition.Arguments],
                WorkingDirectory = Definition.WorkingDirectory,
                EnvironmentVariables = environment,
            },
            _loggerFactory);
    }

    private async Task WatchAsync(McpClient client)
    {
        ClientCompletionDetails details = await client.Completion.ConfigureAwait(false);
        OnSessionEnded(client, details.Exception);
    }

    private void OnSessionEnded(McpClient client, Exception? cause)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_client, client) || _shutdown.IsCancellationRequested)
            {
                return;
            }

            _client = null;
            LastError = new McpServerException(Name, Definition.Target, $"the session ended ({Describe(client, cause)}).", cause);
        }

        _telemetry.Crashed(Name);
        LogCrashed(_logger, Name, Definition.Target, LastError.Message);
        _ = client.DisposeAsync().AsTask();
        ScheduleRestart();
    }

    private void ScheduleRestart()
    {
        lock (_gate)
        {
            if (_shutdown.IsCancellationRequested || !_restartLoop.IsCompleted)
            {
                return;
            }

            if (_failedAttempts >= Definition.MaxRestartAttempts)
            {
                SetStateLocked(McpServerState.Failed);
                return;
            }

            SetStateLocked(McpServerState.Restarting);
            _restartLoop = RestartLoopAsync();
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failed restart is recorded and retried with back-off.")]
    private async Task RestartLoopAsync()
    {
        // Why: yield first so ScheduleRestart's lock is released before the loop touches state.
        await Task.Yield();
        while (!_shutdown.IsCancellationRequested)
        {
            TimeSpan delay;
            lock (_gate)
            {
                double factor = Math.Pow(2, Math.Min(_failedAttempts, 30));
                delay = TimeSpan.FromTicks((long)Math.Min(Definition.RestartDelay.Ticks * factor, Definition.MaxRestartDelay.Ticks));
                _failedAttempts++;
            }

            LogRestarting(_logger, Name, delay, _failedAttempts, Definition.MaxRestartAttempts);
            await Task.Delay(delay, _time, _shutdown.Token).ConfigureAwait(false);
            await _startGate.WaitAsync(_shutdown.Token).ConfigureAwait(false);
            try
            {
                if (_client is not null)
                {
                    return;
                }

                _telemetry.Restarted(Name);
                await StartInLoopAsync().ConfigureAwait(false);
                return;
            }
            catch (McpServerException)
            {
                lock (_gate)
                {
                    if (_failedAttempts >= Definition.MaxRestartAttempts)
                    {
                        SetStateLocked(McpServerState.Failed);
                        return;
                    }

                    SetStateLocked(McpServerState.Restarting);
                }
            }
            finally
            {
                _startGate.Release();
            }
        }
    }

    private async Task StartInLoopAsync()
    {
        // Why: StartCoreAsync schedules a restart on failure; inside the loop the loop itself retries, and
        // _restartLoop is not completed yet, so ScheduleRestart is a no-op there.
        await StartCoreAsync(_shutdown.Token).ConfigureAwait(false);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failed refresh is logged; the previous tools stay registered.")]
    private async Task RefreshToolsAsync()
    {
        McpClient? client = _client;
        if (client is null)
        {
            return;
        }

        try
        {
            IList<McpClientTool> tools = await client.ListToolsAsync(cancellationToken: _shutdown.Token).ConfigureAwait(false);
            Sync(tools);
            LogListChanged(_logger, Name, tools.Count);
        }
        catch (Exception ex)
        {
            LogRefreshFailed(_logger, ex, Name);
        }
    }

    private void Sync(IList<McpClientTool> tools)
    {
        lock (_gate)
        {
            HashSet<string> current = new(StringComparer.Ordinal);
            foreach (McpClientTool tool in tools)
            {
                Tool protocol = tool.ProtocolTool;
                current.Add(RegisterOne(protocol.Name, protocol.Description, protocol.InputSchema, protocol.Annotations));
            }

            foreach (string name in _registered.Keys.Where(n => !current.Contains(n)).ToList())
            {
                Withdraw(name);
            }
        }

        ToolsChanged?.Invoke(this, EventArgs.Empty);
    }

    private string RegisterOne(string mcpName, string? description, JsonElement schema, ToolAnnotations? annotations)
    {
        string name = GetToolName(mcpName);
        Definition.Tools.TryGetValue(mcpName, out McpToolOverride? overrides);
        ToolMetadata metadata = McpToolMetadata.From(annotations, Definition, overrides);
        McpToolFunction function = new(this, name, mcpName, description ?? overrides?.Description, schema);
        lock (_gate)
        {
            if (_registered.TryGetValue(name, out McpToolFunction? existing))
            {
                if (_registry.TryGet(name, out RegisteredTool? registered) && registered.Metadata == metadata &&
                    existing.Description == function.Description && JsonElement.DeepEquals(existing.JsonSchema, schema))
                {
                    return name;
                }

                if (_registry is not ToolRegistry removable || !removable.Remove(name))
                {
                    LogCannotReplace(_logger, Name, name);
                    return name;
                }
            }
            else if (_registry.TryGet(name, out RegisteredTool? other))
            {
                LogNameTaken(_logger, Name, name, other.Metadata.Category ?? "(none)");
                return name;
            }

            _registry.Register(function, metadata);
            _registered[name] = function;
            return name;
        }
    }

    private void Withdraw(string name)
    {
        McpToolFunction function = _registered[name];
        _registered.Remove(name);
        if (_registry is not ToolRegistry removable || !removable.Remove(name))
        {
            function.Withdrawn = true;
        }
    }

    private async Task<bool> HasEndedAsync(McpClient client)
    {
        if (client.Completion.IsCompleted)
        {
            return true;
        }

        // Why: the call can fail a moment before the transport reports the process exit; give it a short while.
        using CancellationTokenSource wait = new(TimeSpan.FromSeconds(2), _time);
        try
        {
            await client.Completion.WaitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Describe(McpClient client, Exception? cause)
    {
        if (client.Completion is { IsCompletedSuccessfully: true, Result: StdioClientCompletionDetails { ExitCode: { } code } })
        {
            return string.Create(CultureInfo.InvariantCulture, $"the process exited with code {code}");
        }

        return cause?.Message ?? "the connection closed";
    }

    private static string Format(TimeSpan value) => value.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms");

    private void SetState(McpServerState state)
    {
        lock (_gate)
        {
            SetStateLocked(state);
        }
    }

    private void SetStateLocked(McpServerState state)
    {
        if (_state == McpServerState.Stopped)
        {
            return;
        }

        _state = state;
        TaskCompletionSource changed = _stateChanged;
        _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}' ({Target}) started with {ToolCount} tool(s).")]
    private static partial void LogStarted(ILogger logger, string server, string target, int toolCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "MCP server '{Server}' ({Target}) failed to start.")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string server, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}' ({Target}) went away: {Reason}")]
    private static partial void LogCrashed(ILogger logger, string server, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}': restart in {Delay} (attempt {Attempt} of {MaxAttempts}).")]
    private static partial void LogRestarting(ILogger logger, string server, TimeSpan delay, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}': tool list changed, {ToolCount} tool(s) now.")]
    private static partial void LogListChanged(ILogger logger, string server, int toolCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}': refreshing the tool list failed.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}': tool '{Tool}' changed but the registry cannot replace it (not a ToolRegistry); the old entry stays.")]
    private static partial void LogCannotReplace(ILogger logger, string server, string tool);

    [LoggerMessage(Level = LogLevel.Error, Message = "MCP server '{Server}': tool name '{Tool}' is already registered (category {Category}); set a Prefix for the server.")]
    private static partial void LogNameTaken(ILogger logger, string server, string tool, string category);
}
