using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Deliver;

/// <summary>What a run hands to <see cref="IDelivery"/>: its text, the files it produced, and metadata.</summary>
public sealed record Delivery
{
    /// <summary>Initializes a new delivery.</summary>
    /// <param name="text">The text to deliver.</param>
    public Delivery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>Gets the text to deliver.</summary>
    public string Text { get; }

    /// <summary>Gets the attachments (images, files) to deliver with the text.</summary>
    public IReadOnlyList<DataContent> Attachments { get; init; } = [];

    /// <summary>Gets the run that produced this delivery, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the caller the delivery answers, if known.</summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>Gets free-form metadata (channel id, pull-request number, file path…).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
