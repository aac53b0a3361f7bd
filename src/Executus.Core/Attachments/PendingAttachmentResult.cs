namespace Executus.Attachments;

/// <summary>The outcome of <see cref="PendingAttachments.Add"/>.</summary>
/// <param name="Status">What was done.</param>
/// <param name="Name">The name the attachment is pending under (the earlier one's name for a duplicate).</param>
public readonly record struct PendingAttachmentResult(PendingAttachmentStatus Status, string Name);
