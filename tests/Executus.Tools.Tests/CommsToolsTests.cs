using System.Collections.Concurrent;
using Executus.Deliver;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

public class CommsToolsTests
{
    private sealed class RecordingDelivery(Func<Delivery, Exception?>? fail = null) : IDelivery
    {
        public ConcurrentQueue<Delivery> Delivered { get; } = new();

        public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
        {
            if (fail?.Invoke(delivery) is { } error)
            {
                throw error;
            }

            Delivered.Enqueue(delivery);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Send_message_delivers_an_interim_message_with_run_and_caller()
    {
        var delivery = new RecordingDelivery();
        using var model = new ScriptedChatClient();
        model.ReplyToolCall(GenericToolNames.SendMessage, new { text = "Working on it…" }).ReplyText("final answer");
        using ServiceProvider provider = Host.Build(model, services: s => s.AddSingleton<IDelivery>(delivery));
        var caller = new CallerIdentity("alice");

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(Host.Agent("talker", GenericToolNames.SendMessage), "go") { Caller = caller });

        Assert.Equal("Message sent.", Assert.Single(Host.ToolResults(result)));
        Delivery[] all = [.. delivery.Delivered];
        Assert.Equal(2, all.Length);
        Assert.Equal("Working on it…", all[0].Text);
        Assert.Equal(result.RunId, all[0].RunId);
        Assert.Equal(caller, all[0].Caller);
        Assert.Equal(CommsTools.InterimKind, all[0].Metadata[CommsTools.KindKey]);
        Assert.Equal("talker", all[0].Metadata[CommsTools.AgentKey]);
        Assert.Equal("final answer", all[1].Text);
        Assert.False(all[1].Metadata.ContainsKey(CommsTools.KindKey));
    }

    [Fact]
    public async Task A_delivery_failure_is_a_readable_tool_error()
    {
        var delivery = new RecordingDelivery(d => d.Metadata.ContainsKey(CommsTools.KindKey) ? new InvalidOperationException("channel down") : null);
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model, services: s => s.AddSingleton<IDelivery>(delivery));

        string text = await Host.CallAsync(provider, model, GenericToolNames.SendMessage, new { text = "hello" });

        Assert.Equal("Error: tool 'send_message' failed: the message could not be delivered: channel down", text);
    }

    [Fact]
    public async Task Empty_and_oversized_messages_are_readable_errors()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model, services: s => s.AddSingleton<IDelivery>(new RecordingDelivery()), tools: o => o.MaxMessageChars = 10);

        string empty = await Host.CallAsync(provider, model, GenericToolNames.SendMessage, new { text = "  " });
        string big = await Host.CallAsync(provider, model, GenericToolNames.SendMessage, new { text = new string('x', 11) });

        Assert.Equal("Error: tool 'send_message' failed: the message is empty", empty);
        Assert.Equal("Error: tool 'send_message' failed: the message is 11 characters; the limit is 10. Send a shorter message", big);
    }

    [Fact]
    public async Task Without_a_delivery_channel_send_message_says_nothing_was_sent()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);

        string text = await Host.CallAsync(provider, model, GenericToolNames.SendMessage, new { text = "hello" });

        Assert.Equal("Error: tool 'send_message' failed: the message could not be delivered: no delivery channel is configured on this host (UseDelivery), so nothing was sent", text);
    }
}
