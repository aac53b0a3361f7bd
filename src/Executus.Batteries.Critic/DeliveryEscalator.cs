using System.Globalization;
using Executus.Deliver;

namespace Executus.Critics;

/// <summary>
/// The default <see cref="IEscalator"/>: delivers one message per escalation — run id, agent, caller, elapsed time,
/// reason and a summary of the last messages — through an <see cref="IDelivery"/>, with metadata
/// <c>executus.critic.event</c> = <c>escalated</c>, <c>agent</c>, <c>caller</c>, <c>elapsed</c> (seconds) and
/// <c>destination</c> (when configured) so the host's delivery can route it to an operator channel. Its decision is fixed
/// at construction: <see cref="EscalationDecision.Escalate"/> by default; with <see cref="EscalationDecision.PauseForHuman"/>
/// the message says the run is paused (event <c>paused</c>) and how to resume it.
/// </summary>
public sealed class DeliveryEscalator : IEscalator
{
    /// <summary>The metadata key naming the event.</summary>
    public const string EventKey = "executus.critic.event";

    private readonly IDelivery _delivery;
    private readonly string? _destination;
    private readonly EscalationDecision _decision;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="delivery">Where the message goes.</param>
    /// <param name="destination">The operator destination written into the metadata as <c>destination</c>, if any.</param>
    /// <param name="decision">What every escalated run becomes.</param>
    public DeliveryEscalator(IDelivery delivery, string? destination = null, EscalationDecision decision = EscalationDecision.Escalate)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (!Enum.IsDefined(decision))
        {
            throw new ArgumentOutOfRangeException(nameof(decision), decision, "The escalation decision must be Escalate or PauseForHuman.");
        }

        _delivery = delivery;
        _destination = destination;
        _decision = decision;
    }

    /// <summary>Gets what every escalated run becomes.</summary>
    public EscalationDecision Decision => _decision;

    /// <inheritdoc />
    public async ValueTask<EscalationDecision> EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        bool pause = _decision == EscalationDecision.PauseForHuman;
        string state = pause ? "paused for a human (resume it by id through the Checkpoint battery, or abandon it)" : "escalated";
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"""
            Run {escalation.RunId} {state}: {escalation.Reason}
            Agent: {escalation.AgentName}; caller: {escalation.Caller}; elapsed: {escalation.Elapsed:hh\:mm\:ss}; model calls: {escalation.Iteration}; at: {escalation.Trigger}.
            Last messages:
            {escalation.LastMessages}
            """);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [EventKey] = pause ? "paused" : "escalated",
            ["agent"] = escalation.AgentName,
            ["caller"] = escalation.Caller.Id,
            ["elapsed"] = ((long)escalation.Elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        if (_destination is not null)
        {
            metadata["destination"] = _destination;
        }

        await _delivery.DeliverAsync(new Delivery(text) { RunId = escalation.RunId, Caller = escalation.Caller, Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        return _decision;
    }
}
