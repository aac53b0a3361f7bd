namespace Executus.Attachments;

/// <summary>What <see cref="PendingAttachments"/> does with an attachment whose name is taken by different content.</summary>
public enum AttachmentNameConflict
{
    /// <summary>Keep both: the newcomer is renamed <c>name (2).ext</c>, <c>name (3).ext</c>… Nothing is lost.</summary>
    Rename,

    /// <summary>The newcomer replaces the earlier attachment of that name (a tool re-rendered the same file).</summary>
    Replace,
}
