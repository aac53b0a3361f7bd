namespace Executus.Deliver;

/// <summary>
/// Where a run's output goes: a chat channel, a pull-request comment, a file. The defaults are
/// <see cref="DiscardDelivery"/> and <see cref="StdoutDelivery"/>.
/// </summary>
/// <remarks>
/// An implementation throws when delivery fails; the run kernel reports the failure in the run result and keeps the
/// output, so nothing is lost.
/// </remarks>
public interface IDelivery
{
    /// <summary>Delivers <paramref name="delivery"/>.</summary>
    /// <param name="delivery">What to deliver.</param>
    /// <param name="cancellationToken">A token to cancel the delivery.</param>
    /// <returns>A task that completes when the output was delivered.</returns>
    ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default);
}
