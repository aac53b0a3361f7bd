using Executus.Models;
using Executus.Testing;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Models;

public sealed class UsageRecordingChatClientTests
{
    [Fact]
    public async Task A_record_keeps_its_own_numbers_when_the_caller_adds_later_usage_into_the_response()
    {
        var inner = new ScriptedChatClient().ReplyText("a", usage: new UsageDetails { InputTokenCount = 20, OutputTokenCount = 8 });
        var sink = new ListSink();
        using var client = new UsageRecordingChatClient(inner, sink, ModelReference.Parse("p:m"));

        ChatResponse response = await client.GetResponseAsync("hi");
        // What FunctionInvokingChatClient does with the first response's usage across iterations.
        response.Usage!.Add(new UsageDetails { InputTokenCount = 30, OutputTokenCount = 7 });

        UsageRecord record = Assert.Single(sink.Records);
        Assert.Equal(20, record.Usage?.InputTokenCount);
        Assert.Equal(8, record.Usage?.OutputTokenCount);
    }

    private sealed class ListSink : IUsageSink
    {
        public List<UsageRecord> Records { get; } = [];

        public ValueTask RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
        {
            Records.Add(record);
            return ValueTask.CompletedTask;
        }
    }
}
