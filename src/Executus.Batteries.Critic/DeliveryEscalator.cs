using System.Globalization;
using Executus.Deliver;

namespace Executus.Critics;

/// <summary>
/// The default <see cref="IEscalator"/>: delivers one message per escalation — run id, agent, caller, elapsed time,
/// reason and a summary of the last messages — through an <see cref="IDelivery"/>, with metadata
/// <c>executus.critic.event</c> = <c>escalated</c>, <c>agent</c>, <c>caller</c>, <c>elapsed</c> (seconds) and
/// <c>destination</c> (when configured) so the host's delivery can route it to an operator channel.
/// </summary>
public sealed class DeliveryEscalator : IEscalator
{
    /// <summary>The metadata key naming the event.</summary>
    public const string EventKey = "executus.critic.event";

    private readonly IDelivery _delivery;
    private readonly string? _destination;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="delivery">Where the message goes.</param>
    /// <param name="destination">The operator destination written into the metadata as <c>destination</c>, if any.</param>
    public DeliveryEscalator(IDelivery delivery, string? destination = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        _delivery = delivery;
        _destination = destination;
    }

    /// <inheritdoc />
    public async ValueTask EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"""
            Run {escalation.RunId} escalated: {escalation.Reason}
            Agent: {escalation.AgentName}; caller: {escalation.Caller}; elapsed: {escalation.Elapsed:hh\:mm\:ss}; model calls: {escalation.Iteration}; at: {escalation.Trigger}.
            Last messages:
            {escalation.LastMessages}
            """);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [EventKey] = "escalated",
            ["agent"] = escalation.AgentName,
            ["caller"] = escalation.Caller.Id,
            ["elapsed"] = ((long)escalation.Elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        if (_destination is not null)
        {
            metadata["destination"] = _destination;
        }

        await _delivery.DeliverAsync(new Delivery(text) { RunId = escalation.RunId, Caller = escalation.Caller, Metadata = metadata }, cancellationToken).ConfigureAwait(false);
    }
}
