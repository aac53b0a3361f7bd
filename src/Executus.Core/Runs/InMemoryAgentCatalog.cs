using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Executus.Runs;

/// <summary>The default, thread-safe <see cref="IAgentCatalog"/>: agents held in memory, unique by name (case-insensitive).</summary>
public sealed class InMemoryAgentCatalog : IAgentCatalog
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, RunnableAgent> _byName = ImmutableDictionary.Create<string, RunnableAgent>(StringComparer.OrdinalIgnoreCase);
    private ImmutableList<RunnableAgent> _agents = [];

    /// <summary>Initializes an empty catalog.</summary>
    public InMemoryAgentCatalog()
    {
    }

    /// <summary>Initializes a catalog holding <paramref name="agents"/>.</summary>
    /// <param name="agents">The agents.</param>
    /// <exception cref="ArgumentException">Two agents share a name.</exception>
    public InMemoryAgentCatalog(IEnumerable<RunnableAgent> agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        foreach (RunnableAgent agent in agents)
        {
            Add(agent);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RunnableAgent> Agents => _agents;

    /// <summary>Adds <paramref name="agent"/>.</summary>
    /// <param name="agent">The agent.</param>
    /// <exception cref="ArgumentException">An agent with the same name (case-insensitive) is already in the catalog.</exception>
    public void Add(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        lock (_gate)
        {
            if (_byName.ContainsKey(agent.Name))
            {
                throw new ArgumentException($"An agent named '{agent.Name}' is already in the catalog; agent names must be unique (case-insensitive).", nameof(agent));
            }

            _byName = _byName.Add(agent.Name, agent);
            _agents = _agents.Add(agent);
        }
    }

    /// <summary>Removes the agent named <paramref name="name"/>.</summary>
    /// <param name="name">The agent's name (case-insensitive).</param>
    /// <returns><see langword="true"/> when an agent was removed.</returns>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (!_byName.TryGetValue(name, out RunnableAgent? agent))
            {
                return false;
            }

            _byName = _byName.Remove(name);
            _agents = _agents.Remove(agent);
            return true;
        }
    }

    /// <inheritdoc />
    public bool TryGet(string name, [NotNullWhen(true)] out RunnableAgent? agent)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out agent);
    }
}
