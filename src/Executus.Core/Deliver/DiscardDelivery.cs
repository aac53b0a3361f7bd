namespace Executus.Deliver;

/// <summary>An <see cref="IDelivery"/> that drops everything: for hosts that read the run result instead.</summary>
public sealed class DiscardDelivery : IDelivery
{
    /// <summary>Gets a shared instance.</summary>
    public static DiscardDelivery Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.CompletedTask;
    }
}
