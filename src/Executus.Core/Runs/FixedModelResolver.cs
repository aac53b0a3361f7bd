using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>An <see cref="IAgentModelResolver"/> that answers every agent with the same client.</summary>
public sealed class FixedModelResolver : IAgentModelResolver
{
    private readonly IChatClient _client;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="client">The client every agent uses.</param>
    public FixedModelResolver(IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc />
    public IChatClient Resolve(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return _client;
    }
}
