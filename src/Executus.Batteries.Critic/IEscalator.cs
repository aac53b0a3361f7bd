namespace Executus.Critics;

/// <summary>
/// What escalation does besides ending the run <see cref="Runs.RunOutcome.Escalated"/>: tell a human. The default,
/// <see cref="DeliveryEscalator"/>, delivers a message to an operator destination through <see cref="Deliver.IDelivery"/>.
/// </summary>
/// <remarks>
/// The escalator also decides what the run becomes: ended <see cref="EscalationDecision.Escalate"/>, or
/// <see cref="EscalationDecision.PauseForHuman"/> (kept resumable through the Checkpoint battery). A throwing escalator
/// is logged by the critic; the run then ends escalated.
/// </remarks>
public interface IEscalator
{
    /// <summary>Tells whoever must know that a run was escalated, and decides whether it ends or waits for a human.</summary>
    /// <param name="escalation">The run and the reason.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The decision, once the escalation was handed over.</returns>
    ValueTask<EscalationDecision> EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default);
}
