using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace Executus.Deliver;

/// <summary>
/// An <see cref="IDelivery"/> that writes the text, then one line per attachment (name, media type, size), to a
/// <see cref="TextWriter"/>: standard output by default.
/// </summary>
public sealed class StdoutDelivery : IDelivery
{
    private readonly TextWriter? _writer;

    /// <summary>Initializes a new instance that writes to <see cref="Console.Out"/>.</summary>
    public StdoutDelivery()
    {
    }

    /// <summary>Initializes a new instance that writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">The writer.</param>
    public StdoutDelivery(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <inheritdoc />
    public async ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        TextWriter writer = _writer ?? Console.Out;

        // Why: concurrent runs share one console; one write per delivery keeps its lines together.
        StringBuilder text = new StringBuilder(delivery.Text).AppendLine();
        foreach (DataContent attachment in delivery.Attachments)
        {
            text.Append(CultureInfo.InvariantCulture, $"[attachment] {attachment.Name ?? "(unnamed)"} ({attachment.MediaType}, {attachment.Data.Length} bytes)").AppendLine();
        }

        await writer.WriteAsync(text, cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
