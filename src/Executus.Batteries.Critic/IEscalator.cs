namespace Executus.Critics;

/// <summary>
/// What escalation does besides ending the run <see cref="Runs.RunOutcome.Escalated"/>: tell a human. The default,
/// <see cref="DeliveryEscalator"/>, delivers a message to an operator destination through <see cref="Deliver.IDelivery"/>.
/// </summary>
/// <remarks>A throwing escalator is logged by the critic; the run still ends escalated.</remarks>
public interface IEscalator
{
    /// <summary>Tells whoever must know that a run was escalated.</summary>
    /// <param name="escalation">The run and the reason.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>A task that completes when the escalation was handed over.</returns>
    ValueTask EscalateAsync(Escalation escalation, CancellationToken cancellationToken = default);
}
