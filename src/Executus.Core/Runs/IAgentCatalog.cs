namespace Executus.Runs;

/// <summary>
/// The agents a host can run by name: what a tool such as <c>run_agent</c> looks sub-agents up in, and what a resumed
/// run finds its agent's definition in. The default is <see cref="InMemoryAgentCatalog"/> holding every agent added
/// with <c>AddAgent</c>; a battery (e.g. personas) implements it over its own, possibly database-backed, store.
/// </summary>
/// <remarks>
/// Names are compared case-insensitively (ordinal), as models do not always keep the case. An agent may exist in
/// several versions (<see cref="RunnableAgent.Version"/>); without a version the catalog returns the current one.
/// </remarks>
public interface IAgentCatalog
{
    /// <summary>Looks up an agent by name and, optionally, version.</summary>
    /// <param name="name">The agent's name (case-insensitive).</param>
    /// <param name="version">
    /// The version to find (compared ordinally), or <see langword="null"/> for the current version.
    /// </param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agent, or <see langword="null"/> when there is no such agent or version.</returns>
    ValueTask<RunnableAgent?> GetAsync(string name, string? version = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the current version of every agent in the catalog, in a stable order.</summary>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agents.</returns>
    ValueTask<IReadOnlyList<RunnableAgent>> ListAsync(CancellationToken cancellationToken = default);
}
