namespace Executus.Mcp;

/// <summary>The lifecycle state of one configured MCP server.</summary>
public enum McpServerState
{
    /// <summary>Not started yet (a lazy server before its first call).</summary>
    NotStarted,

    /// <summary>Starting: the process is being launched or the session initialised.</summary>
    Starting,

    /// <summary>Running: its tools are registered and callable.</summary>
    Running,

    /// <summary>It crashed or failed to start and a restart is scheduled after a back-off delay.</summary>
    Restarting,

    /// <summary>It failed and the restart attempts are used up; calls answer with the last error.</summary>
    Failed,

    /// <summary>Stopped with the host.</summary>
    Stopped,
}
