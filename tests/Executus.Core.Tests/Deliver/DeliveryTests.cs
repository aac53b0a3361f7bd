using Executus.Deliver;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Deliver;

public class DeliveryTests
{
    [Fact]
    public async Task Discard_accepts_and_drops()
    {
        await DiscardDelivery.Instance.DeliverAsync(new Delivery("x"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await DiscardDelivery.Instance.DeliverAsync(null!));
    }

    [Fact]
    public async Task Stdout_writes_text_and_one_line_per_attachment()
    {
        using var writer = new StringWriter();
        var delivery = new Delivery("The answer is 42.")
        {
            Attachments = [new DataContent(new byte[] { 1, 2, 3 }, "image/png") { Name = "chart.png" }],
            RunId = "run-1",
        };

        await new StdoutDelivery(writer).DeliverAsync(delivery);

        string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["The answer is 42.", "[attachment] chart.png (image/png, 3 bytes)"], lines);
    }

    [Fact]
    public async Task Stdout_honours_cancellation()
    {
        using var writer = new StringWriter();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await new StdoutDelivery(writer).DeliverAsync(new Delivery("x"), new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Delivery_requires_text() => Assert.Throws<ArgumentNullException>(() => new Delivery(null!));
}
