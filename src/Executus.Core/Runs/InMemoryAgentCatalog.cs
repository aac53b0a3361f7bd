using System.Collections.Immutable;

namespace Executus.Runs;

/// <summary>
/// The default, thread-safe <see cref="IAgentCatalog"/>: agents held in memory by name (case-insensitive), each name
/// with one or more versions; the version added last is the current one.
/// </summary>
public sealed class InMemoryAgentCatalog : IAgentCatalog
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, ImmutableList<RunnableAgent>> _byName =
        ImmutableDictionary.Create<string, ImmutableList<RunnableAgent>>(StringComparer.OrdinalIgnoreCase);
    private ImmutableList<string> _order = [];

    /// <summary>Initializes an empty catalog.</summary>
    public InMemoryAgentCatalog()
    {
    }

    /// <summary>Initializes a catalog holding <paramref name="agents"/>.</summary>
    /// <param name="agents">The agents; several versions of one name are added in order, the last becoming current.</param>
    /// <exception cref="ArgumentException">Two agents share a name and a version.</exception>
    public InMemoryAgentCatalog(IEnumerable<RunnableAgent> agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        foreach (RunnableAgent agent in agents)
        {
            Add(agent);
        }
    }

    /// <summary>
    /// Adds <paramref name="agent"/>. When an agent of the same name exists with another version, this one becomes
    /// the current version and the earlier ones stay reachable by version.
    /// </summary>
    /// <param name="agent">The agent.</param>
    /// <exception cref="ArgumentException">
    /// An agent with the same name (case-insensitive) and the same <see cref="RunnableAgent.Version"/> is already in
    /// the catalog.
    /// </exception>
    public void Add(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        lock (_gate)
        {
            if (_byName.TryGetValue(agent.Name, out ImmutableList<RunnableAgent>? versions))
            {
                if (versions.Any(v => string.Equals(v.Version, agent.Version, StringComparison.Ordinal)))
                {
                    string which = agent.Version is null ? "without a version" : $"in version '{agent.Version}'";
                    throw new ArgumentException(
                        $"An agent named '{agent.Name}' {which} is already in the catalog; agent names must be unique (case-insensitive) per version.",
                        nameof(agent));
                }

                _byName = _byName.SetItem(agent.Name, versions.Add(agent));
                return;
            }

            _byName = _byName.Add(agent.Name, [agent]);
            _order = _order.Add(agent.Name);
        }
    }

    /// <summary>Removes every version of the agent named <paramref name="name"/>.</summary>
    /// <param name="name">The agent's name (case-insensitive).</param>
    /// <returns><see langword="true"/> when an agent was removed.</returns>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (!_byName.ContainsKey(name))
            {
                return false;
            }

            _byName = _byName.Remove(name);
            _order = _order.RemoveAll(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            return true;
        }
    }

    /// <inheritdoc />
    public ValueTask<RunnableAgent?> GetAsync(string name, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_byName.TryGetValue(name, out ImmutableList<RunnableAgent>? versions))
        {
            return ValueTask.FromResult<RunnableAgent?>(null);
        }

        RunnableAgent? found = version is null
            ? versions[^1]
            : versions.Find(v => string.Equals(v.Version, version, StringComparison.Ordinal));
        return ValueTask.FromResult(found);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunnableAgent>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ImmutableDictionary<string, ImmutableList<RunnableAgent>> byName;
        ImmutableList<string> order;
        lock (_gate)
        {
            byName = _byName;
            order = _order;
        }

        RunnableAgent[] agents = new RunnableAgent[order.Count];
        for (int i = 0; i < agents.Length; i++)
        {
            agents[i] = byName[order[i]][^1];
        }

        return ValueTask.FromResult<IReadOnlyList<RunnableAgent>>(agents);
    }
}
