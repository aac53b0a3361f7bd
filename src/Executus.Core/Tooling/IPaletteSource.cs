using Executus.Identity;

namespace Executus.Tooling;

/// <summary>
/// The palette port (stage 1): a host's say on which tools an agent may see at all (per agent, per tenant…), on top
/// of the agent's own allow-list and the registry. The default, <see cref="AllowAllPaletteSource"/>, allows everything.
/// </summary>
public interface IPaletteSource
{
    /// <summary>Decides whether <paramref name="agentName"/> may see <paramref name="tool"/>.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="tool">The registered tool the agent asks for.</param>
    /// <param name="caller">The caller the run is for.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The decision.</returns>
    ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default);
}
