using System.Threading.Channels;

namespace Executus.Core.Tests.Lanes;

/// <summary>Gates and start signals for ordering tests without sleeps.</summary>
internal static class LaneTestHelpers
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(15);

    /// <summary>A job that reports its start, then waits for one release of <paramref name="gate"/>.</summary>
    public static Func<CancellationToken, Task<string>> Gated(string name, SemaphoreSlim gate, ChannelWriter<string> started) =>
        async ct =>
        {
            started.TryWrite(name);
            await gate.WaitAsync(ct);
            return name;
        };

    /// <summary>A job that reports its start, then waits until <paramref name="release"/> completes.</summary>
    public static Func<CancellationToken, Task<string>> Held(string name, Task release, ChannelWriter<string> started) =>
        async ct =>
        {
            started.TryWrite(name);
            await release.WaitAsync(ct);
            return name;
        };

    public static async Task<string> NextAsync(this Channel<string> channel) =>
        await channel.Reader.ReadAsync().AsTask().WaitAsync(Safety);

    public static Channel<string> NewStarts() => Channel.CreateUnbounded<string>();
}
