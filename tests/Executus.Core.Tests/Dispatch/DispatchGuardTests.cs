using Executus.Configuration;
using Executus.Dispatch;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Dispatch;

public sealed class DispatchGuardTests
{
    private static DispatchGuard Guard(int depth = 3, int fanOut = 16, int repeats = 3) =>
        new(new DispatchLimits { MaxDepth = depth, MaxFanOut = fanOut, MaxRepeats = repeats });

    [Fact]
    public async Task Depth_cap_trips_exactly_past_the_limit_across_awaits()
    {
        DispatchGuard guard = Guard(depth: 2);
        var outcomes = new List<(int Depth, DispatchDenied? Denied)>();

        async Task RunAsync(int level)
        {
            await Task.Yield();
            using DispatchEntry entry = guard.Enter($"agent{level}", "input");
            outcomes.Add((DispatchGuard.Current?.Depth ?? -1, entry.Denied));
            if (entry.IsAllowed)
            {
                Assert.Equal(level, entry.Scope!.Depth);
                await RunAsync(level + 1);
                Assert.Same(entry.Scope, DispatchGuard.Current);
            }
        }

        Assert.Null(DispatchGuard.Current);
        await RunAsync(0);
        Assert.Null(DispatchGuard.Current);

        Assert.Equal(4, outcomes.Count);
        Assert.All(outcomes.Take(3), o => Assert.Null(o.Denied));
        DispatchDenied denied = outcomes[3].Denied!;
        Assert.Equal(DispatchDeniedReason.Depth, denied.Reason);
        Assert.Equal(2, denied.Limit);
        Assert.Equal("agent3", denied.Target);
        Assert.Contains("agent3", denied.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 2", denied.Message, StringComparison.Ordinal);
        Assert.Equal(denied.Message, denied.ToString());
        Assert.Equal(2, outcomes[3].Depth);
    }

    [Fact]
    public async Task Parallel_children_share_the_parents_fan_out_and_trip_exactly_at_the_limit()
    {
        DispatchGuard guard = Guard(fanOut: 3, repeats: 100);
        using DispatchEntry root = guard.Enter("planner", "task");
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int entered = 0;

        async Task<DispatchDenied?> ChildAsync(int i)
        {
            await Task.Yield();
            using DispatchEntry entry = guard.Enter("worker", $"part {i}");
            if (Interlocked.Increment(ref entered) == 5)
            {
                allIn.SetResult();
            }

            // Why: hold every child open until all five have asked, so they are truly concurrent.
            await allIn.Task;
            return entry.Denied;
        }

        DispatchDenied?[] results = await Task.WhenAll(Enumerable.Range(0, 5).Select(ChildAsync)).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(3, results.Count(r => r is null));
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(DispatchDeniedReason.FanOut, r!.Reason));
        Assert.Equal(3, root.Scope!.ChildCount);
        Assert.Same(root.Scope, DispatchGuard.Current);

        DispatchDenied? sixth = guard.Enter("worker", "part 6").Denied;
        Assert.Equal(DispatchDeniedReason.FanOut, sixth!.Reason);
        Assert.Contains("planner", sixth.Message, StringComparison.Ordinal);
        Assert.Equal(3, root.Scope.ChildCount);
    }

    [Fact]
    public void Fan_out_is_counted_per_run_not_per_tree()
    {
        DispatchGuard guard = Guard(fanOut: 1, repeats: 100);
        using DispatchEntry root = guard.Enter("root", null);
        using (DispatchEntry child = guard.Enter("child", "1"))
        {
            Assert.True(child.IsAllowed);
            using (DispatchEntry grandchild = guard.Enter("grandchild", "1"))
            {
                Assert.True(grandchild.IsAllowed);
            }

            Assert.Same(child.Scope, DispatchGuard.Current);
            Assert.Equal(DispatchDeniedReason.FanOut, guard.Enter("grandchild", "2").Denied?.Reason);
        }

        Assert.Same(root.Scope, DispatchGuard.Current);
        Assert.Equal(DispatchDeniedReason.FanOut, guard.Enter("child", "2").Denied?.Reason);
    }

    [Fact]
    public void Same_agent_and_input_trips_the_loop_cap_exactly_past_MaxRepeats()
    {
        DispatchGuard guard = Guard(depth: 10, repeats: 2);
        using DispatchEntry first = guard.Enter("echo", "same");
        using DispatchEntry second = guard.Enter("echo", "same");
        Assert.True(second.IsAllowed);
        using DispatchEntry third = guard.Enter("echo", "same");
        Assert.Equal(DispatchDeniedReason.Loop, third.Denied?.Reason);
        Assert.Equal(2, third.Denied!.Limit);
        Assert.Same(second.Scope, DispatchGuard.Current);

        using DispatchEntry otherInput = guard.Enter("echo", "different");
        Assert.True(otherInput.IsAllowed);
        using DispatchEntry otherAgent = guard.Enter("mirror", "same");
        Assert.True(otherAgent.IsAllowed);
    }

    [Fact]
    public void A_denied_entry_counts_nothing()
    {
        DispatchGuard guard = Guard(fanOut: 1, repeats: 1);
        using DispatchEntry root = guard.Enter("root", null);
        using (DispatchEntry child = guard.Enter("a", "x"))
        {
            Assert.True(child.IsAllowed);
        }

        // The fan-out denial must not leave ("b","y") counted as a dispatch.
        Assert.Equal(DispatchDeniedReason.FanOut, guard.Enter("b", "y").Denied?.Reason);
        var sibling = new DispatchGuard(new DispatchLimits { MaxFanOut = 1, MaxRepeats = 1 });
        using DispatchEntry otherRoot = RunDetached(() => sibling.Enter("b", "y"));
        Assert.True(otherRoot.IsAllowed);
    }

    [Fact]
    public void Identical_tool_calls_trip_the_loop_cap_per_run()
    {
        DispatchGuard guard = Guard(repeats: 3);
        Assert.Null(DispatchGuard.CheckToolCall("search", "{\"q\":\"x\"}"));

        using DispatchEntry run = guard.Enter("agent", "task");
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(DispatchGuard.CheckToolCall("search", "{\"q\":\"x\"}"));
        }

        DispatchDenied? denied = DispatchGuard.CheckToolCall("search", "{\"q\":\"x\"}");
        Assert.Equal(DispatchDeniedReason.Loop, denied?.Reason);
        Assert.Equal("search", denied!.Target);
        Assert.Contains("identical arguments", denied.Message, StringComparison.Ordinal);
        Assert.Null(DispatchGuard.CheckToolCall("search", "{\"q\":\"y\"}"));
        Assert.Null(DispatchGuard.CheckToolCall("fetch", "{\"q\":\"x\"}"));

        using DispatchEntry child = guard.Enter("sub", "task");
        Assert.Null(DispatchGuard.CheckToolCall("search", "{\"q\":\"x\"}"));
    }

    [Fact]
    public void Function_calls_with_the_same_arguments_in_another_order_are_identical()
    {
        DispatchGuard guard = Guard(repeats: 1);
        using DispatchEntry run = guard.Enter("agent", "task");
        var first = new FunctionCallContent("c1", "fetch", new Dictionary<string, object?> { ["url"] = "https://a", ["n"] = 2 });
        var reordered = new FunctionCallContent("c2", "fetch", new Dictionary<string, object?> { ["n"] = 2, ["url"] = "https://a" });
        var other = new FunctionCallContent("c3", "fetch", new Dictionary<string, object?> { ["n"] = 3, ["url"] = "https://a" });
        Assert.Null(DispatchGuard.CheckToolCall(first));
        Assert.Equal(DispatchDeniedReason.Loop, DispatchGuard.CheckToolCall(reordered)?.Reason);
        Assert.Null(DispatchGuard.CheckToolCall(other));
    }

    [Fact]
    public async Task Scopes_do_not_leak_out_of_an_async_branch()
    {
        DispatchGuard guard = Guard();
        using DispatchEntry root = guard.Enter("root", null);

        async Task BranchAsync()
        {
            await Task.Yield();
            DispatchEntry entry = guard.Enter("child", "x");
            Assert.Same(entry.Scope, DispatchGuard.Current);

            // Not disposed on purpose: leaving the async method must still restore the caller's scope.
        }

        await BranchAsync();
        Assert.Same(root.Scope, DispatchGuard.Current);
    }

    [Fact]
    public void Limits_are_read_from_configuration()
    {
        var config = new InMemoryConfigSource([
            new("Executus:Dispatch:MaxDepth", "1"),
            new("Executus:Dispatch:MaxFanOut", "2"),
            new("Executus:Dispatch:MaxRepeats", "4"),
        ]);
        DispatchLimits limits = new DispatchGuard(config).GetLimits();
        Assert.Equal((1, 2, 4), (limits.MaxDepth, limits.MaxFanOut, limits.MaxRepeats));

        var guard = new DispatchGuard(config);
        using DispatchEntry root = guard.Enter("r", null);
        using DispatchEntry child = guard.Enter("c", null);
        Assert.Equal(DispatchDeniedReason.Depth, guard.Enter("g", null).Denied?.Reason);
    }

    [Theory]
    [InlineData("MaxDepth", "-1")]
    [InlineData("MaxFanOut", "lots")]
    [InlineData("MaxRepeats", "0")]
    public void Malformed_limits_throw_ConfigException_naming_the_key(string setting, string value)
    {
        string key = "Executus:Dispatch:" + setting;
        var guard = new DispatchGuard(new InMemoryConfigSource([new(key, value)]));
        ConfigException ex = Assert.Throws<ConfigException>(() => RunDetached(() => guard.Enter("a", null)));
        Assert.Equal(key, ex.Key);
    }

    [Fact]
    public void Out_of_range_limits_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchGuard(new DispatchLimits { MaxRepeats = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchGuard(new DispatchLimits { MaxDepth = -1 }));
        Assert.Throws<ArgumentException>(() => Guard().Enter(" ", null));
    }

    /// <summary>Runs <paramref name="action"/> outside the current dispatch scope (a fresh top-level run).</summary>
    // Why: a dedicated thread started with flow suppressed never sees this test's scope; Task.Run + GetResult could be
    // inlined on the waiting thread under load and inherit it (that made this suite flaky).
    private static T RunDetached<T>(Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        Thread thread;
        using (ExecutionContext.SuppressFlow())
        {
            thread = new Thread(() =>
            {
                try
                {
                    result = action();
                }
                catch (Exception ex)
                {
                    error = ex;
                }
            });
            thread.Start();
        }

        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }
}
