using System.Globalization;

namespace Executus.Attachments;

/// <summary>Thrown when adding an attachment would exceed a run's count or byte limit. Nothing was added.</summary>
public sealed class AttachmentLimitExceededException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public AttachmentLimitExceededException()
        : base("The attachment limit was exceeded.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public AttachmentLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AttachmentLimitExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance describing the exceeded limit.</summary>
    /// <param name="limit">Which limit.</param>
    /// <param name="attachmentName">The rejected attachment's name.</param>
    /// <param name="maximum">The configured maximum.</param>
    /// <param name="attempted">The count or byte total the attachment would have produced.</param>
    public AttachmentLimitExceededException(AttachmentLimit limit, string attachmentName, long maximum, long attempted)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"Attachment '{attachmentName}' was rejected: it would make {attempted} {(limit == AttachmentLimit.Count ? "attachments" : "bytes")}, over the run's limit of {maximum}."))
    {
        Limit = limit;
        AttachmentName = attachmentName;
        Maximum = maximum;
        Attempted = attempted;
    }

    /// <summary>Gets which limit was exceeded.</summary>
    public AttachmentLimit Limit { get; }

    /// <summary>Gets the rejected attachment's name.</summary>
    public string? AttachmentName { get; }

    /// <summary>Gets the configured maximum.</summary>
    public long Maximum { get; }

    /// <summary>Gets the count or byte total the attachment would have produced.</summary>
    public long Attempted { get; }
}
