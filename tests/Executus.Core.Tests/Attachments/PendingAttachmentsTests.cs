using Executus.Attachments;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Attachments;

public class PendingAttachmentsTests
{
    private static DataContent File(string? name, params byte[] bytes) => new(bytes, "application/octet-stream") { Name = name };

    [Fact]
    public void Adds_in_order_and_drains_exactly_once()
    {
        var pending = new PendingAttachments();
        Assert.Equal(new PendingAttachmentResult(PendingAttachmentStatus.Added, "a.bin"), pending.Add(File("a.bin", 1)));
        pending.Add(File("b.bin", 2, 3));
        Assert.Equal(2, pending.Count);
        Assert.Equal(3, pending.TotalBytes);

        IReadOnlyList<DataContent> drained = pending.Drain();

        Assert.Equal(["a.bin", "b.bin"], drained.Select(d => d.Name));
        Assert.True(pending.IsDrained);
        Assert.Equal(0, pending.Count);
        var again = Assert.Throws<InvalidOperationException>(() => pending.Drain());
        Assert.Contains("already drained", again.Message, StringComparison.Ordinal);
        var late = Assert.Throws<InvalidOperationException>(() => pending.Add(File("c.bin", 4)));
        Assert.Contains("c.bin", late.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_content_is_deduplicated_by_sha256_whatever_its_name()
    {
        var pending = new PendingAttachments();
        pending.Add(File("first.png", 9, 9, 9));
        PendingAttachmentResult result = pending.Add(File("second.png", 9, 9, 9));
        Assert.Equal(new PendingAttachmentResult(PendingAttachmentStatus.DuplicateContent, "first.png"), result);
        Assert.Equal(1, pending.Count);
    }

    [Fact]
    public void A_taken_name_with_new_content_is_renamed_by_default()
    {
        var pending = new PendingAttachments();
        pending.Add(File("chart.png", 1));
        Assert.Equal(new PendingAttachmentResult(PendingAttachmentStatus.Renamed, "chart (2).png"), pending.Add(File("chart.png", 2)));
        Assert.Equal(new PendingAttachmentResult(PendingAttachmentStatus.Renamed, "CHART (3).png"), pending.Add(File("CHART.png", 3)));
        Assert.Equal(["chart.png", "chart (2).png", "CHART (3).png"], pending.Drain().Select(d => d.Name));
    }

    [Fact]
    public void A_taken_name_is_replaced_under_the_replace_policy()
    {
        var pending = new PendingAttachments(new PendingAttachmentsOptions { NameConflict = AttachmentNameConflict.Replace });
        pending.Add(File("chart.png", 1, 1, 1));
        Assert.Equal(PendingAttachmentStatus.Replaced, pending.Add(File("chart.png", 2)).Status);
        Assert.Equal(1, pending.TotalBytes);
        DataContent only = Assert.Single(pending.Drain());
        Assert.Equal(new byte[] { 2 }, only.Data.ToArray());
    }

    [Fact]
    public void Unnamed_attachments_get_a_hash_name()
    {
        var pending = new PendingAttachments();
        string name = pending.Add(File(null, 1, 2)).Name;
        Assert.StartsWith("attachment-", name, StringComparison.Ordinal);
        Assert.Equal(name, Assert.Single(pending.Drain()).Name);
    }

    [Fact]
    public void The_count_limit_is_typed_and_nothing_is_added()
    {
        var pending = new PendingAttachments(new PendingAttachmentsOptions { MaxCount = 2 });
        pending.Add(File("a", 1));
        pending.Add(File("b", 2));

        var ex = Assert.Throws<AttachmentLimitExceededException>(() => pending.Add(File("c", 3)));

        Assert.Equal(AttachmentLimit.Count, ex.Limit);
        Assert.Equal("c", ex.AttachmentName);
        Assert.Equal(2, ex.Maximum);
        Assert.Equal(3, ex.Attempted);
        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, pending.Count);
        Assert.Equal(PendingAttachmentStatus.DuplicateContent, pending.Add(File("a-again", 1)).Status);
    }

    [Fact]
    public void The_byte_limit_is_typed_and_nothing_is_added()
    {
        var pending = new PendingAttachments(new PendingAttachmentsOptions { MaxTotalBytes = 4 });
        pending.Add(File("a", 1, 2, 3));

        var ex = Assert.Throws<AttachmentLimitExceededException>(() => pending.Add(File("b", 4, 5)));

        Assert.Equal(AttachmentLimit.TotalBytes, ex.Limit);
        Assert.Equal(5, ex.Attempted);
        Assert.Equal(3, pending.TotalBytes);
        pending.Add(File("c", 6));
        Assert.Equal(4, pending.TotalBytes);
    }

    [Fact]
    public void A_replacement_that_would_exceed_the_byte_limit_is_refused()
    {
        var pending = new PendingAttachments(new PendingAttachmentsOptions { MaxTotalBytes = 3, NameConflict = AttachmentNameConflict.Replace });
        pending.Add(File("a", 1));
        Assert.Throws<AttachmentLimitExceededException>(() => pending.Add(File("a", 1, 2, 3, 4)));
        Assert.Equal(new byte[] { 1 }, Assert.Single(pending.Drain()).Data.ToArray());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Invalid_limits_are_rejected(int maxCount, long maxBytes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PendingAttachments(new PendingAttachmentsOptions { MaxCount = maxCount, MaxTotalBytes = maxBytes }));

    [Fact]
    public async Task Concurrent_adds_respect_the_limits()
    {
        var pending = new PendingAttachments(new PendingAttachmentsOptions { MaxCount = 50 });
        int rejected = 0;
        await Parallel.ForAsync(0, 200, (i, _) =>
        {
            try
            {
                pending.Add(File($"f{i}", (byte)(i % 256), (byte)(i / 256)));
            }
            catch (AttachmentLimitExceededException)
            {
                Interlocked.Increment(ref rejected);
            }

            return ValueTask.CompletedTask;
        });

        Assert.Equal(50, pending.Count);
        Assert.Equal(150, rejected);
    }
}
