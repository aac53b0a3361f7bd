namespace Executus.Tools;

/// <summary>The names of the generic tools, for agents' tool lists (<see cref="Executus.Runs.RunnableAgent.Tools"/>).</summary>
public static class GenericToolNames
{
    /// <summary>Fetches a URL and returns readable text.</summary>
    public const string WebFetch = "web_fetch";

    /// <summary>Resolves a host name to its addresses.</summary>
    public const string DnsLookup = "dns_lookup";

    /// <summary>Returns a URL's HTTP status and selected headers.</summary>
    public const string HttpHead = "http_head";

    /// <summary>Reads a remembered value.</summary>
    public const string MemoryGet = "memory_get";

    /// <summary>Remembers a value.</summary>
    public const string MemorySet = "memory_set";

    /// <summary>Forgets a value.</summary>
    public const string MemoryDelete = "memory_delete";

    /// <summary>Lists remembered keys.</summary>
    public const string MemoryList = "memory_list";

    /// <summary>Runs another agent as a sub-agent.</summary>
    public const string RunAgent = "run_agent";

    /// <summary>Lists the tools the current run may use.</summary>
    public const string ListTools = "list_tools";

    /// <summary>Returns the current time in a time zone.</summary>
    public const string CurrentTime = "current_time";

    /// <summary>Returns the current run's id, agent, caller and iteration.</summary>
    public const string RunInfo = "run_info";

    /// <summary>Sends an interim message through the host's delivery.</summary>
    public const string SendMessage = "send_message";
}
