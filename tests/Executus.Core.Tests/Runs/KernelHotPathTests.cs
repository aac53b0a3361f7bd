using System.Text.RegularExpressions;
using Executus.Compaction;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Runs;

/// <summary>The kernel's cheap paths (issue 21) keep their behaviour: transcript views, cached tool plans, run ids.</summary>
public partial class KernelHotPathTests
{
    private static ToolRegistry Tools()
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        return tools;
    }

    private static ScriptedChatClient ThreeTurns() => new ScriptedChatClient()
        .ReplyToolCall("add", new { a = 1, b = 2 })
        .ReplyToolCall("add", new { a = 3, b = 4 })
        .ReplyToolCall("add", new { a = 5, b = 6 })
        .ReplyText("done");

    [Fact]
    public async Task Ending_work_that_finishes_at_once_starts_no_timer_and_work_that_waits_is_cut_at_the_delivery_timeout()
    {
        // Synchronous end work (an in-memory checkpointer): the run creates no more timers than a run with null ports.
        var counting = new TimerCountingTimeProvider();
        using (ScriptedChatClient plain = new ScriptedChatClient().ReplyText("hi"))
        {
            await new Executor(new FixedModelResolver(plain), timeProvider: counting).RunAsync(new RunRequest(new RunnableAgent("a"), "x"));
        }

        int withNullPorts = counting.Created;
        using (ScriptedChatClient checkpointed = new ScriptedChatClient().ReplyText("hi"))
        {
            await new Executor(new FixedModelResolver(checkpointed), ports: new RunPorts { Checkpointer = new RecordingCheckpointer() }, timeProvider: counting)
                .RunAsync(new RunRequest(new RunnableAgent("a"), "x"));
        }

        Assert.Equal(withNullPorts, counting.Created - withNullPorts);

        // A delivery that waits: cancelled exactly DeliveryTimeout after it started waiting, the run reports it failed.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var delivery = new HangingDelivery();
        using ScriptedChatClient model = new ScriptedChatClient().ReplyText("answer");
        var executor = new Executor(
            new FixedModelResolver(model),
            ports: new RunPorts { Delivery = delivery },
            options: new ExecutorOptions { DeliveryTimeout = TimeSpan.FromSeconds(10) },
            timeProvider: time);
        Task<RunResult> run = executor.RunAsync(new RunRequest(new RunnableAgent("a"), "x"));
        await delivery.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(delivery.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        RunResult result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(delivery.Token.IsCancellationRequested);
        Assert.Equal(RunDeliveryStatus.Failed, result.Delivery);
        Assert.Equal("answer", result.Text);
    }

    [Fact]
    public async Task A_checkpoint_keeps_the_transcript_it_was_saved_with_while_the_run_goes_on()
    {
        using ScriptedChatClient model = ThreeTurns();
        var checkpoints = new RecordingCheckpointer();
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Checkpointer = checkpoints });

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("a") { Tools = ["add"] }, "sum"));

        RunCheckpoint[] saves = [.. checkpoints.Saves];
        Assert.Equal([3, 5, 7], saves.Select(s => s.Messages.Count));
        Assert.Equal(8, result.Messages.Count);
        foreach (RunCheckpoint save in saves)
        {
            // A prefix of the final transcript, the same message objects, and enumeration agrees with the indexer.
            Assert.Equal(result.Messages.Take(save.Messages.Count), save.Messages);
            Assert.Equal(save.Messages.Count, save.Messages.AsEnumerable().Aggregate(0, (n, _) => n + 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => save.Messages[save.Messages.Count]);
        }

        Assert.Same(saves[0].Agent, saves[2].Agent);
    }

    [Fact]
    public async Task Compaction_does_not_rewrite_a_checkpoint_that_was_already_handed_out()
    {
        using ScriptedChatClient model = ThreeTurns();
        var checkpoints = new RecordingCheckpointer();
        var compactor = new DropMiddleCompactor(atCount: 5);
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Checkpointer = checkpoints }, compactor: compactor);

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("a") { Tools = ["add"] }, "sum"));

        RunCheckpoint[] saves = [.. checkpoints.Saves];
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.True(compactor.Compacted);
        Assert.Equal([0, 3, 0], checkpoints.SavedCounts);
        Assert.Equal([3, 5, 5], saves.Select(s => s.Messages.Count));

        // The save taken before compaction still holds turn 1; the one after starts from turn 2.
        Assert.Equal(1, FirstCallArgument(saves[1].Messages[1]));
        Assert.Equal(3, FirstCallArgument(saves[2].Messages[1]));
        Assert.Equal(saves[2].Messages, result.Messages.Take(5));
        Assert.True(compactor.Compacted);
    }

    [Fact]
    public async Task A_tool_registered_after_a_run_is_seen_by_the_next_run_of_the_same_agent()
    {
        var tools = new ToolRegistry();
        var agent = new RunnableAgent("a") { Tools = ["add"] };
        var executor = new Executor(new FixedModelResolver(new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("x").ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("y")), tools);

        RunResult first = await executor.RunAsync(new RunRequest(agent, "sum"));
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        RunResult second = await executor.RunAsync(new RunRequest(agent, "sum"));

        Assert.Equal(ToolDenialCode.NotRegistered, Assert.IsType<ToolDeniedException>(Results(first).Single().Exception).Denial?.Code);
        Assert.Equal("3", ResultOf(second));
    }

    [Fact]
    public async Task A_changed_tool_list_and_a_different_caller_are_decided_again()
    {
        var tools = Tools();
        tools.Register(AIFunctionFactory.Create(() => "secret", "admin_only"), new ToolMetadata { RequiredRoles = ["admin"] });
        List<string> list = ["add"];
        var agent = new RunnableAgent("a") { Tools = list };
        using ScriptedChatClient model = new ScriptedChatClient()
            .ReplyToolCall("admin_only").ReplyText("1")
            .ReplyToolCall("admin_only").ReplyText("2")
            .ReplyToolCall("admin_only").ReplyText("3");
        var executor = new Executor(new FixedModelResolver(model), tools);
        var admin = new CallerIdentity("root", "Root", roles: ["admin"]);

        RunResult notListed = await executor.RunAsync(new RunRequest(agent, "go") { Caller = admin });
        list.Add("admin_only");
        RunResult listed = await executor.RunAsync(new RunRequest(agent, "go") { Caller = admin });
        RunResult notAdmin = await executor.RunAsync(new RunRequest(agent, "go") { Caller = new CallerIdentity("bob", "Bob") });

        Assert.Equal(ToolDenialCode.NotInAgentPalette, Assert.IsType<ToolDeniedException>(Results(notListed).Single().Exception).Denial?.Code);
        Assert.Equal("secret", ResultOf(listed));
        ToolDeniedException denied = Assert.IsType<ToolDeniedException>(Results(notAdmin).Single().Exception);
        Assert.Equal(ToolDenialCode.MissingRole, denied.Denial?.Code);
    }

    [Fact]
    public async Task Run_ids_are_distinct_and_keep_their_format_across_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                ids.Add(RunIds.New());
            }
        })));

        Assert.Equal(2000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches(RunIdFormat(), id));
    }

    [Fact]
    public void The_executors_own_toolbox_factory_logs_through_the_executors_logger_factory()
    {
        var logs = new Telemetry.CapturingLoggerFactory();

        var executor = new Executor(new FixedModelResolver(new ScriptedChatClient()), Tools(), loggerFactory: logs);

        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(executor.Toolboxes!.Logger, "probe");

        Assert.Contains(logs.Entries, e => e.Message == "probe");
    }

    [Fact]
    public void Every_meter_of_core_and_the_batteries_is_listed_for_hosts()
    {
        Assert.Contains("Executus.Checkpoint", ExecutusTelemetry.MeterNames);
        Assert.Contains("Executus.Audit", ExecutusTelemetry.MeterNames);
        Assert.Contains(Executus.Net.NetTelemetry.MeterName, ExecutusTelemetry.MeterNames);
        Assert.Equal(ExecutusTelemetry.MeterNames.Count, ExecutusTelemetry.MeterNames.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task The_budget_estimate_counted_incrementally_equals_a_full_count_of_every_request()
    {
        using ScriptedChatClient model = ThreeTurns();
        var budget = new RecordingBudget();
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Budget = budget });

        await executor.RunAsync(new RunRequest(new RunnableAgent("a") { Tools = ["add"], Instructions = "Add numbers." }, "sum"));

        long[] expected = [.. model.Requests.Select(r =>
            r.Messages.Sum(m => (long)EstimatingTokenCounter.Instance.CountTokens(m)) +
            EstimatingTokenCounter.Instance.CountTokens(new ChatMessage(ChatRole.System, "Add numbers.")))];
        Assert.Equal(4, expected.Length);
        Assert.Equal(expected, budget.Checks.Select(c => c.EstimatedInputTokens));
        Assert.True(expected[3] > expected[0]);
    }

    [GeneratedRegex("^run_[0-9a-f]{32}$")]
    private static partial Regex RunIdFormat();

    private static int FirstCallArgument(ChatMessage message) =>
        Convert.ToInt32(message.Contents.OfType<FunctionCallContent>().Single().Arguments!["a"]?.ToString(), System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<FunctionResultContent> Results(RunResult result) =>
        result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

    private static string ResultOf(RunResult result) => Results(result).Single().Result?.ToString() ?? string.Empty;

    /// <summary>Once the transcript reaches a size, keeps the first and the last two messages (a stand-in for real compaction).</summary>
    private sealed class DropMiddleCompactor(int atCount) : ICompactor
    {
        public bool Compacted { get; private set; }

        public ValueTask<CompactionResult> CompactAsync(IReadOnlyList<ChatMessage> messages, int? contextWindowTokens = null, CancellationToken cancellationToken = default)
        {
            if (Compacted || messages.Count < atCount)
            {
                return ValueTask.FromResult(new CompactionResult { Messages = messages });
            }

            Compacted = true;
            return ValueTask.FromResult(new CompactionResult { Messages = [messages[0], messages[^2], messages[^1]], Changed = true });
        }
    }

    private sealed class TimerCountingTimeProvider : TimeProvider
    {
        private int _created;

        public int Created => Volatile.Read(ref _created);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class HangingDelivery : Executus.Deliver.IDelivery
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token { get; private set; }

        public async ValueTask DeliverAsync(Executus.Deliver.Delivery delivery, CancellationToken cancellationToken = default)
        {
            Token = cancellationToken;
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
