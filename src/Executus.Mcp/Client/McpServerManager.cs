using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Mcp;

/// <summary>
/// The configured MCP servers: registers their tools in the <see cref="IToolRegistry"/> (every call then passes the three
/// permission stages, the dispatch guard, audit and the run's cancellation like any tool), starts the eager ones at host
/// start, the lazy ones at first use, and stops them with the host. A server that fails does not stop the others.
/// </summary>
public sealed partial class McpServerManager : IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>The name of the meter this package reports on: <c>Executus.Mcp</c>.</summary>
    public const string MeterName = "Executus.Mcp";

    private readonly McpTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Dictionary<string, McpServerConnection> _byName;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="McpServerManager"/> class and registers the declared tools of
    /// lazy servers.</summary>
    /// <param name="options">The servers.</param>
    /// <param name="registry">Where the tools are registered.</param>
    /// <param name="safeHttpClientFactory">The SSRF-safe HTTP client for remote servers (required when one has a <c>Url</c>
    /// without <see cref="McpServerDefinition.AllowPrivateNetwork"/>).</param>
    /// <param name="timeProvider">The clock for timeouts and restart back-off.</param>
    /// <param name="loggerFactory">Logs.</param>
    /// <param name="meterFactory">Creates the <c>Executus.Mcp</c> meter.</param>
    /// <exception cref="Configuration.ConfigException">The options are invalid.</exception>
    public McpServerManager(
        McpServersOptions options,
        IToolRegistry registry,
        ISafeHttpClientFactory? safeHttpClientFactory = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        foreach (McpServerDefinition server in options.Servers)
        {
            if (server.Url is not null && !server.AllowPrivateNetwork && safeHttpClientFactory is null)
            {
                throw new ArgumentNullException(nameof(safeHttpClientFactory), $"MCP server '{server.Name}' is remote ({server.Url}): an ISafeHttpClientFactory is needed (or set AllowPrivateNetwork).");
            }
        }

        _telemetry = new McpTelemetry(meterFactory);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<McpServerManager>();
        TimeProvider time = timeProvider ?? TimeProvider.System;
        Connections = [.. options.Servers.Select(s => new McpServerConnection(s, options.ToolNameSeparator, registry, safeHttpClientFactory, time, loggerFactory, _telemetry))];
        _byName = Connections.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        foreach (McpServerConnection connection in Connections.Where(c => c.Definition.StartMode == McpServerStartMode.Lazy))
        {
            connection.RegisterDeclaredTools();
        }
    }

    /// <summary>Gets the servers, in configuration order.</summary>
    public IReadOnlyList<McpServerConnection> Connections { get; }

    /// <summary>Gets one server by its configured name (case-insensitive).</summary>
    /// <param name="name">The server's name.</param>
    /// <returns>The server.</returns>
    /// <exception cref="KeyNotFoundException">No server has that name.</exception>
    public McpServerConnection GetConnection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out McpServerConnection? connection)
            ? connection
            : throw new KeyNotFoundException($"No MCP server is named '{name}'; configured: {string.Join(", ", _byName.Keys)}.");
    }

    /// <summary>Starts the eager servers concurrently and registers their tools. A server that fails to start is logged
    /// (its <see cref="McpServerConnection.LastError"/> names the server and its command) and restarted with back-off; the
    /// others start regardless, and this method does not throw for it.</summary>
    /// <param name="cancellationToken">Cancels the starts.</param>
    /// <returns>A task that completes when every eager server has started or failed.</returns>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "One failing server must not stop the host or the other servers.")]
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await Task.WhenAll(Connections
            .Where(c => c.Definition.StartMode == McpServerStartMode.Eager && c.State == McpServerState.NotStarted)
            .Select(async c =>
            {
                try
                {
                    await c.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (McpServerException ex)
                {
                    LogServerUnavailable(_logger, c.Name, ex.Message);
                }
            })).ConfigureAwait(false);
    }

    /// <summary>Stops every server (their processes end).</summary>
    /// <param name="cancellationToken">Not used: stopping is bounded by each transport's own shutdown timeout.</param>
    /// <returns>A task that completes when every server is stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(Connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>Stops every server.</summary>
    /// <returns>A task that completes when every server is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _telemetry.Dispose();
    }

    /// <summary>
    /// Stops every server, blocking until they are stopped (a container disposed synchronously calls this; prefer
    /// <see cref="DisposeAsync"/>).
    /// </summary>
    public void Dispose() =>
        // Why: server processes must not outlive the host; StopAsync continues on the thread pool (ConfigureAwait(false)),
        // so blocking here cannot deadlock on a synchronization context.
        DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}' is unavailable; the other servers keep working: {Reason}")]
    private static partial void LogServerUnavailable(ILogger logger, string server, string reason);
}
