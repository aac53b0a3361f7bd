namespace Executus.Attachments;

/// <summary>Which limit of <see cref="PendingAttachments"/> was exceeded.</summary>
public enum AttachmentLimit
{
    /// <summary>The number of attachments.</summary>
    Count,

    /// <summary>The total size in bytes.</summary>
    TotalBytes,
}
