using Executus.Deliver;

namespace Executus.Tools;

/// <summary>
/// The <see cref="IDelivery"/> <c>send_message</c> gets when the host registered none: it refuses, so the model reads
/// that nothing was sent instead of "Message sent." for a message that went nowhere.
/// </summary>
internal sealed class UnconfiguredDelivery : IDelivery
{
    public static UnconfiguredDelivery Instance { get; } = new();

    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("no delivery channel is configured on this host (UseDelivery), so nothing was sent");
}
