using System.Diagnostics.CodeAnalysis;

namespace Executus.Runs;

/// <summary>
/// The agents a host can run by name: what a tool such as <c>run_agent</c> looks sub-agents up in. The default is
/// <see cref="InMemoryAgentCatalog"/> holding every agent added with <c>AddAgent</c>; a battery (e.g. personas) may
/// implement it over its own store.
/// </summary>
/// <remarks>Names are compared case-insensitively (ordinal), as models do not always keep the case.</remarks>
public interface IAgentCatalog
{
    /// <summary>Gets every agent in the catalog, in a stable order.</summary>
    IReadOnlyList<RunnableAgent> Agents { get; }

    /// <summary>Looks up an agent by name.</summary>
    /// <param name="name">The agent's name (case-insensitive).</param>
    /// <param name="agent">The agent when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    bool TryGet(string name, [NotNullWhen(true)] out RunnableAgent? agent);
}
