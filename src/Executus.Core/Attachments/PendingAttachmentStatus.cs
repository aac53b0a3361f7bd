namespace Executus.Attachments;

/// <summary>What <see cref="PendingAttachments.Add"/> did with an attachment.</summary>
public enum PendingAttachmentStatus
{
    /// <summary>The attachment was added under its own name.</summary>
    Added,

    /// <summary>Identical content (same SHA-256) was already pending; nothing was added.</summary>
    DuplicateContent,

    /// <summary>The name was taken by different content; the attachment was added under a new name.</summary>
    Renamed,

    /// <summary>The name was taken by different content; the earlier attachment was replaced.</summary>
    Replaced,
}
