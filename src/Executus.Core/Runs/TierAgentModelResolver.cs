using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// The default <see cref="IAgentModelResolver"/>: an agent's <see cref="RunnableAgent.Model"/> (a <c>provider:model</c>
/// reference) wins; otherwise its <see cref="RunnableAgent.Tier"/>; otherwise the default tier. Resolution reads the
/// configuration at every run, so tiers can change without a restart.
/// </summary>
public sealed class TierAgentModelResolver : IAgentModelResolver
{
    /// <summary>The tier used by agents that name neither a model nor a tier.</summary>
    public const string DefaultTier = "default";

    private readonly ModelTierResolver _tiers;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="tiers">The tier resolver.</param>
    public TierAgentModelResolver(ModelTierResolver tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        _tiers = tiers;
    }

    /// <inheritdoc />
    public IChatClient Resolve(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return _tiers.Resolve(agent.Model ?? agent.Tier ?? DefaultTier);
    }
}
