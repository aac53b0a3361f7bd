using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// Gives the run kernel the chat client for an agent. The default resolves <see cref="RunnableAgent.Model"/> or
/// <see cref="RunnableAgent.Tier"/> through the configured model tiers; <see cref="FixedModelResolver"/> uses one
/// client for every agent.
/// </summary>
public interface IAgentModelResolver
{
    /// <summary>Resolves the client for <paramref name="agent"/>.</summary>
    /// <param name="agent">The agent.</param>
    /// <returns>A chat client that does NOT invoke functions itself (the kernel does).</returns>
    IChatClient Resolve(RunnableAgent agent);
}
