using System.Security.Cryptography;
using Microsoft.Extensions.AI;

namespace Executus.Attachments;

/// <summary>
/// A per-run collector of the files and images tools produce. Attachments are de-duplicated by content (SHA-256)
/// and by name, bounded in count and total bytes, and drained exactly once when the run delivers.
/// </summary>
/// <remarks>Thread-safe: tools running concurrently may add to the same collector.</remarks>
public sealed class PendingAttachments
{
    private readonly PendingAttachmentsOptions _options;
    private readonly List<Entry> _entries = [];
    private readonly Lock _lock = new();
    private long _totalBytes;
    private bool _drained;

    /// <summary>Initializes a new collector.</summary>
    /// <param name="options">Limits and policy; defaults when null.</param>
    public PendingAttachments(PendingAttachmentsOptions? options = null)
    {
        _options = options ?? new PendingAttachmentsOptions();
        _options.Validate();
    }

    /// <summary>Gets the number of pending attachments.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets the total size in bytes of the pending attachments.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_lock)
            {
                return _totalBytes;
            }
        }
    }

    /// <summary>Gets whether <see cref="Drain"/> has been called.</summary>
    public bool IsDrained
    {
        get
        {
            lock (_lock)
            {
                return _drained;
            }
        }
    }

    /// <summary>Adds an attachment.</summary>
    /// <param name="attachment">The attachment. An unnamed one is named <c>attachment-{hash}</c>.</param>
    /// <returns>What was done with it.</returns>
    /// <exception cref="AttachmentLimitExceededException">The attachment would exceed the count or byte limit.</exception>
    /// <exception cref="InvalidOperationException">The collector was already drained.</exception>
    public PendingAttachmentResult Add(DataContent attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        ReadOnlyMemory<byte> data = attachment.Data;
        string hash = Convert.ToHexStringLower(SHA256.HashData(data.Span));
        string name = string.IsNullOrWhiteSpace(attachment.Name) ? $"attachment-{hash[..12]}" : attachment.Name;

        lock (_lock)
        {
            if (_drained)
            {
                throw new InvalidOperationException($"Attachment '{name}' was added after the run's attachments were drained.");
            }

            Entry? sameContent = _entries.Find(e => e.Hash == hash);
            if (sameContent is not null)
            {
                return new(PendingAttachmentStatus.DuplicateContent, sameContent.Name);
            }

            int sameName = _entries.FindIndex(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            if (sameName >= 0 && _options.NameConflict == AttachmentNameConflict.Replace)
            {
                Entry old = _entries[sameName];
                long bytesAfterReplace = _totalBytes - old.Content.Data.Length + data.Length;
                EnsureWithin(AttachmentLimit.TotalBytes, name, _options.MaxTotalBytes, bytesAfterReplace);
                _entries[sameName] = new Entry(hash, name, WithName(attachment, name));
                _totalBytes = bytesAfterReplace;
                return new(PendingAttachmentStatus.Replaced, name);
            }

            EnsureWithin(AttachmentLimit.Count, name, _options.MaxCount, _entries.Count + 1L);
            EnsureWithin(AttachmentLimit.TotalBytes, name, _options.MaxTotalBytes, _totalBytes + data.Length);

            string finalName = sameName >= 0 ? UniqueName(name) : name;
            _entries.Add(new Entry(hash, finalName, WithName(attachment, finalName)));
            _totalBytes += data.Length;
            return new(sameName >= 0 ? PendingAttachmentStatus.Renamed : PendingAttachmentStatus.Added, finalName);
        }
    }

    /// <summary>Returns every pending attachment, in the order added, and closes the collector.</summary>
    /// <returns>The attachments.</returns>
    /// <exception cref="InvalidOperationException">The collector was already drained.</exception>
    public IReadOnlyList<DataContent> Drain()
    {
        lock (_lock)
        {
            if (_drained)
            {
                throw new InvalidOperationException("The run's attachments were already drained; they are delivered exactly once.");
            }

            _drained = true;
            DataContent[] result = [.. _entries.Select(e => e.Content)];
            _entries.Clear();
            _totalBytes = 0;
            return result;
        }
    }

    private static void EnsureWithin(AttachmentLimit limit, string name, long maximum, long attempted)
    {
        if (attempted > maximum)
        {
            throw new AttachmentLimitExceededException(limit, name, maximum, attempted);
        }
    }

    private static DataContent WithName(DataContent attachment, string name) =>
        attachment.Name == name ? attachment : new DataContent(attachment.Data, attachment.MediaType) { Name = name };

    private string UniqueName(string name)
    {
        string stem = Path.GetFileNameWithoutExtension(name);
        string extension = Path.GetExtension(name);
        for (int n = 2; ; n++)
        {
            string candidate = $"{stem} ({n}){extension}";
            if (!_entries.Exists(e => string.Equals(e.Name, candidate, StringComparison.OrdinalIgnoreCase)))
            {
                return candidate;
            }
        }
    }

    private sealed record Entry(string Hash, string Name, DataContent Content);
}
