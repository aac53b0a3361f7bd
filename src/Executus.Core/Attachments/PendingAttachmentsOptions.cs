namespace Executus.Attachments;

/// <summary>Limits and policy for <see cref="PendingAttachments"/>.</summary>
public sealed class PendingAttachmentsOptions
{
    /// <summary>The default maximum number of attachments per run.</summary>
    public const int DefaultMaxCount = 10;

    /// <summary>The default maximum total size per run: 25 MiB (Discord's and most chat platforms' order of magnitude).</summary>
    public const long DefaultMaxTotalBytes = 25L * 1024 * 1024;

    /// <summary>Gets or sets the maximum number of attachments one run may collect.</summary>
    public int MaxCount { get; set; } = DefaultMaxCount;

    /// <summary>Gets or sets the maximum total size in bytes of one run's attachments.</summary>
    public long MaxTotalBytes { get; set; } = DefaultMaxTotalBytes;

    /// <summary>Gets or sets what happens when an attachment's name is taken by one with different content.</summary>
    public AttachmentNameConflict NameConflict { get; set; } = AttachmentNameConflict.Rename;

    internal void Validate()
    {
        if (MaxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCount), MaxCount, "MaxCount must be at least 1.");
        }

        if (MaxTotalBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTotalBytes), MaxTotalBytes, "MaxTotalBytes must be at least 1.");
        }

        if (!Enum.IsDefined(NameConflict))
        {
            throw new ArgumentOutOfRangeException(nameof(NameConflict), NameConflict, "Unknown name-conflict policy.");
        }
    }
}
