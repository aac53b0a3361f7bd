using System.Diagnostics.Metrics;

namespace Executus.Mcp;

/// <summary>The "Executus.Mcp" meter: tool calls by server and outcome, starts, start failures, crashes, restarts.</summary>
internal sealed class McpTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _lifecycle;

    public McpTelemetry(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(McpServerManager.MeterName) ?? new Meter(McpServerManager.MeterName);
        _calls = _meter.CreateCounter<long>("executus.mcp.tool_calls", description: "MCP tool calls by server and outcome (ok, tool_error, error, timeout, crashed, cancelled).");
        _lifecycle = _meter.CreateCounter<long>("executus.mcp.server_events", description: "MCP server lifecycle events by server and event (started, start_failed, crashed, restart).");
    }

    public void Call(string server, string outcome) => _calls.Add(1, new("server", server), new("outcome", outcome));

    public void Started(string server) => _lifecycle.Add(1, new("server", server), new("event", "started"));

    public void StartFailed(string server) => _lifecycle.Add(1, new("server", server), new("event", "start_failed"));

    public void Crashed(string server) => _lifecycle.Add(1, new("server", server), new("event", "crashed"));

    public void Restarted(string server) => _lifecycle.Add(1, new("server", server), new("event", "restart"));

    public void Dispose() => _meter.Dispose();
}
