using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// An <see cref="IAgentModelResolver"/> that answers every agent with the same client, decorated with the accounting
/// channel (<see cref="UsageRecordingChatClient"/>) unless it already has one, so its calls reach the usage sink and
/// the run's budget like a tier's.
/// </summary>
public sealed class FixedModelResolver : IAgentModelResolver
{
    private readonly IChatClient _client;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="client">The client every agent uses.</param>
    /// <param name="model">The <c>provider:model</c> reference budgets see; from the client's metadata when null.</param>
    /// <param name="usageSink">Where usage goes; nowhere when null.</param>
    /// <param name="timeProvider">The clock for usage latency; the system clock when null.</param>
    public FixedModelResolver(IChatClient client, ModelReference? model = null, IUsageSink? usageSink = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client.GetService(typeof(UsageRecordingChatClient)) is not null
            ? client
            : new UsageRecordingChatClient(client, usageSink ?? NullUsageSink.Instance, model ?? ReferenceOf(client, null), timeProvider: timeProvider);
    }

    /// <inheritdoc />
    public IChatClient Resolve(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return _client;
    }

    /// <summary>The reference of a client that is not a tier's: the agent's explicit model, else the client's metadata.</summary>
    internal static ModelReference ReferenceOf(IChatClient client, RunnableAgent? agent)
    {
        if (agent?.Model is { } model && ModelReference.TryParse(model, out ModelReference? parsed, out _))
        {
            return parsed;
        }

        var metadata = client.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata;
        return new ModelReference(
            string.IsNullOrWhiteSpace(metadata?.ProviderName) ? "fixed" : metadata.ProviderName,
            string.IsNullOrWhiteSpace(metadata?.DefaultModelId) ? "default" : metadata.DefaultModelId);
    }
}
