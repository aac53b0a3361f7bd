using Executus.Identity;

namespace Executus.Tooling;

/// <summary>What a run asks of the permission stages at its start: the agent, its tool allow-list and the caller.</summary>
internal sealed class ToolboxRequest
{
    /// <summary>The allow-list entry that names every registered tool.</summary>
    public const string AllTools = "*";

    private IReadOnlyList<string>? _toolNames;

    /// <summary>Initializes a request.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="toolNames">The agent's tool allow-list; <see cref="AllTools"/> names every registered tool.</param>
    /// <param name="caller">The caller; <see langword="null"/> for <see cref="CallerIdentity.Anonymous"/>.</param>
    public ToolboxRequest(string agentName, IEnumerable<string> toolNames, CallerIdentity? caller = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        ArgumentNullException.ThrowIfNull(toolNames);
        AgentName = agentName;
        Source = toolNames as IReadOnlyList<string> ?? [.. toolNames];
        Caller = caller ?? CallerIdentity.Anonymous;
    }

    /// <summary>Gets the agent's name.</summary>
    public string AgentName { get; }

    /// <summary>Gets the agent's tool allow-list (distinct, trimmed).</summary>
    public IReadOnlyList<string> ToolNames =>
        _toolNames ??= [.. Source.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).Distinct(StringComparer.Ordinal)];

    /// <summary>Gets the allow-list as given (the factory's cache key: an agent's list is normalised once, not per run).</summary>
    internal IReadOnlyList<string> Source { get; }

    /// <summary>Gets the caller.</summary>
    public CallerIdentity Caller { get; }

    /// <summary>Gets the run's id, recorded with denials.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the run's own audit channel (sequenced, one event per decision); the factory's audit port when null.</summary>
    internal Auditing.IAudit? Audit { get; init; }

    /// <summary>Gets the phase of a phased run the toolbox serves (named in stage 1 denials), if any.</summary>
    public string? Phase { get; init; }

    /// <summary>Gets services handed to tool functions when a call gives no <see cref="ToolInvocationContext"/>.</summary>
    public IServiceProvider? Services { get; init; }
}
