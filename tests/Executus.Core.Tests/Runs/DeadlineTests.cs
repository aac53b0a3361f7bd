using System.Collections.Concurrent;
using Executus.Auditing;
using Executus.Configuration;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Runs;

public class DeadlineTests
{
    private static Executor Create(IChatClient model, RunPorts ports, TimeProvider time, ToolRegistry? tools = null, ExecutorOptions? options = null)
    {
        if (tools is null)
        {
            tools = new ToolRegistry();
            tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        }

        return new Executor(new FixedModelResolver(model), tools, ports, options, timeProvider: time);
    }

    private static RunnableAgent Agent(TimeSpan timeout) => new("worker") { Tools = ["add"], Timeout = timeout };

    [Fact]
    public async Task A_run_that_never_waits_still_ends_at_its_deadline_and_one_that_waits_gets_its_timer()
    {
        // A model that answers at once but whose every call takes a (fake) minute: the run never waits, so it has no
        // timer; its deadline is checked at each iteration.
        var time = new FakeTimeProvider();
        var model = new AddingModel(() => time.Advance(TimeSpan.FromMinutes(1)));
        RunResult result = await Create(model, RunPorts.None, time).RunAsync(new RunRequest(Agent(TimeSpan.FromSeconds(150)), "go") { RunId = "sync" });

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        Assert.Equal(3, model.Calls);
        Assert.Equal(3, result.Iterations);

        // A run that waits (a tool that does not answer at once) is timed out in the middle of its wait by the timer.
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(async (CancellationToken ct) => await Task.Delay(TimeSpan.FromHours(1), time, ct), "slow"));
        using var waiting = new ScriptedChatClient(timeProvider: time).ReplyToolCall("slow", new { });
        RunHandle handle = Create(waiting, RunPorts.None, time, tools).Start(new RunRequest(new RunnableAgent("worker") { Tools = ["slow"], Timeout = TimeSpan.FromSeconds(10) }, "go"));
        time.Advance(TimeSpan.FromSeconds(11));
        RunResult timedOut = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RunOutcome.TimedOut, timedOut.Outcome);
    }

    [Fact]
    public async Task A_run_that_never_waits_on_the_system_clock_still_ends_at_its_deadline()
    {
        // On the system clock a run that never waits skips the precise reading while the coarse tick puts its deadline
        // well ahead; it must still stop at the deadline, not run out its iterations. Each call blocks 40 ms.
        var model = new AddingModel(() => Thread.Sleep(40));
        var agent = new RunnableAgent("worker") { Tools = ["add"], Timeout = TimeSpan.FromMilliseconds(400), MaxIterations = 100 };
        RunResult result = await Create(model, RunPorts.None, TimeProvider.System).RunAsync(new RunRequest(agent, "go"));

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        Assert.InRange(model.Calls, 2, 12);
    }

    /// <summary>
    /// A model that runs <paramref name="beforeEachCall"/> (advance a fake clock, block the thread so the run never waits
    /// asynchronously) and then calls add.
    /// </summary>
    private sealed class AddingModel(Action beforeEachCall) : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            beforeEachCall();
            int n = Interlocked.Increment(ref _calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{n}", "add", new Dictionary<string, object?> { ["a"] = n, ["b"] = 1 })])));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task An_extension_decided_after_the_deadline_fired_revives_the_run()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("made it");
        var reviewing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verdict = new TaskCompletionSource<CriticVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        var critic = new BlockingCritic(r => r.Iteration == 0 ? Task.FromResult(CriticVerdict.Continue) : Wait(reviewing, verdict));

        RunHandle handle = Create(model, new RunPorts { Critic = critic }, time).Start(new RunRequest(Agent(TimeSpan.FromSeconds(10)), "go"));
        await reviewing.Task;
        time.Advance(TimeSpan.FromSeconds(15)); // the deadline fires while the critic deliberates
        verdict.SetResult(CriticVerdict.Extend(TimeSpan.FromSeconds(30), "making progress"));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("made it", result.Text);
    }

    [Fact]
    public async Task An_extension_too_short_to_reach_past_now_times_out_instead_of_failing()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("never");
        var reviewing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verdict = new TaskCompletionSource<CriticVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        var critic = new BlockingCritic(r => r.Trigger == CriticTrigger.HardDeadline ? Task.FromResult(CriticVerdict.Continue)
            : r.Iteration == 0 ? Task.FromResult(CriticVerdict.Continue) : Wait(reviewing, verdict));

        RunHandle handle = Create(model, new RunPorts { Critic = critic }, time).Start(new RunRequest(Agent(TimeSpan.FromSeconds(10)), "go"));
        await reviewing.Task;
        time.Advance(TimeSpan.FromSeconds(15));
        verdict.SetResult(CriticVerdict.Extend(TimeSpan.FromSeconds(2))); // 12 s < 15 s elapsed: the old code computed a negative due time
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task The_hard_deadline_reaches_the_critic_before_the_run_ends_and_it_may_escalate()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(5));
        var log = new ConcurrentQueue<string>();
        var critic = new BlockingCritic(r =>
        {
            log.Enqueue($"critic {r.Trigger}");
            return Task.FromResult(r.Trigger == CriticTrigger.HardDeadline ? CriticVerdict.Escalate("paged the on-call") : CriticVerdict.Continue);
        });
        var audit = new LoggingAudit(log);

        RunHandle handle = Create(model, new RunPorts { Critic = critic, Audit = audit }, time).Start(new RunRequest(Agent(TimeSpan.FromSeconds(30)), "go"));
        time.Advance(TimeSpan.FromSeconds(30));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Escalated, result.Outcome);
        Assert.Equal("paged the on-call", result.StopReason);
        Assert.Equal(
            ["audit RunStarted", "critic Iteration", "critic HardDeadline", "audit CriticVerdict", "audit RunFinished"],
            log);
    }

    [Fact]
    public async Task The_first_review_after_the_soft_deadline_says_so()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time)
            .ReplyToolCall("add", new { a = 1, b = 2 }).WithDelay(TimeSpan.FromSeconds(6))
            .ReplyToolCall("add", new { a = 1, b = 2 })
            .ReplyText("done");
        var triggers = new ConcurrentQueue<CriticTrigger>();
        var critic = new BlockingCritic(r =>
        {
            triggers.Enqueue(r.Trigger);
            return Task.FromResult(CriticVerdict.Continue);
        });

        RunHandle handle = Create(model, new RunPorts { Critic = critic }, time).Start(
            new RunRequest(Agent(TimeSpan.FromSeconds(60)) with { SoftTimeout = TimeSpan.FromSeconds(5) }, "go"));
        time.Advance(TimeSpan.FromSeconds(6));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([CriticTrigger.Iteration, CriticTrigger.SoftDeadline, CriticTrigger.Iteration], triggers);
    }

    [Fact]
    public async Task A_run_stopped_through_its_handle_ends_Stopped_with_the_reason()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(5));
        var checkpoints = new RecordingCheckpointer();
        var audit = new RecordingAudit();

        RunHandle handle = Create(model, new RunPorts { Checkpointer = checkpoints, Audit = audit }, time).Start(new RunRequest(Agent(TimeSpan.FromMinutes(10)), "go"));
        RunResult result = await handle.StopAsync("operator: wrong repository");

        Assert.Equal(RunOutcome.Stopped, result.Outcome);
        Assert.Equal("operator: wrong repository", result.StopReason);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(["fail Stopped"], checkpoints.Log);
        Assert.Equal("Stopped", audit.Events.Single(e => e.Kind == AuditEventKind.RunFinished).Data["outcome"]);
        Assert.Equal(RunOutcome.Stopped, (await handle.StopAsync("again")).Outcome);
    }

    [Theory]
    [InlineData(60 * 24 * 60)] // 60 days in minutes: longer than one timer period (~49.7 days)
    [InlineData(-1)] // Timeout.InfiniteTimeSpan
    public async Task Long_and_infinite_timeouts_run_instead_of_faulting(int minutes)
    {
        var time = new FakeTimeProvider();
        TimeSpan timeout = minutes < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMinutes(minutes);
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("after 45 days").WithDelay(TimeSpan.FromDays(45));

        RunHandle handle = Create(model, RunPorts.None, time).Start(new RunRequest(Agent(timeout), "go"));
        time.Advance(TimeSpan.FromDays(44));
        Assert.False(handle.Completion.IsCompleted);
        time.Advance(TimeSpan.FromDays(1));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
    }

    [Fact]
    public async Task A_60_day_timeout_still_ends_the_run_on_time()
    {
        var time = new FakeTimeProvider();
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            async (CancellationToken ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
                return "never";
            },
            "wait"));
        using var model = new ScriptedChatClient().ReplyToolCall("wait", new { });

        RunHandle handle = Create(model, RunPorts.None, time, tools).Start(new RunRequest(new RunnableAgent("w") { Tools = ["wait"], Timeout = TimeSpan.FromDays(60) }, "go"));
        time.Advance(TimeSpan.FromDays(59)); // the deadline timer re-arms past one timer period
        Assert.False(handle.Completion.IsCompleted);
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(RunOutcome.TimedOut, (await handle.Completion).Outcome);
    }

    [Fact]
    public async Task Config_spells_long_and_infinite_default_timeouts()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Runs:DefaultTimeout", "60d");
        Assert.Equal(TimeSpan.FromDays(60), ExecutorOptions.FromConfig(config).DefaultTimeout);
        config.Set("Executus:Runs:DefaultTimeout", "Infinite");
        Assert.Equal(Timeout.InfiniteTimeSpan, ExecutorOptions.FromConfig(config).DefaultTimeout);
        config.Set("Executus:Runs:DefaultTimeout", "0s");
        ConfigException ex = Assert.Throws<ConfigException>(() => ExecutorOptions.FromConfig(config));
        Assert.Contains("infinite", ex.Message, StringComparison.Ordinal);

        // Read at every run: a run started after the change gets the new default.
        var time = new FakeTimeProvider();
        config.Set("Executus:Runs:DefaultTimeout", "10s");
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("a").WithDelay(TimeSpan.FromSeconds(20)).ReplyText("b").WithDelay(TimeSpan.FromSeconds(20));
        Executor executor = Create(model, RunPorts.None, time, options: new ExecutorOptions { Config = config });
        RunHandle first = executor.Start(new RunRequest(new RunnableAgent("a"), "go"));
        config.Set("Executus:Runs:DefaultTimeout", "30s");
        RunHandle second = executor.Start(new RunRequest(new RunnableAgent("b"), "go"));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(RunOutcome.TimedOut, (await first.Completion).Outcome);
        Assert.Equal(RunOutcome.Completed, (await second.Completion).Outcome);
    }

    [Fact]
    public void Bad_timeouts_are_rejected_with_the_no_limit_spelling()
    {
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RunnableAgent("a") { Timeout = TimeSpan.FromSeconds(-5) }.Validate());
        Assert.Contains("InfiniteTimeSpan", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunnableAgent("a") { Timeout = TimeSpan.FromSeconds(5), SoftTimeout = TimeSpan.FromSeconds(5) }.Validate());
        new RunnableAgent("a") { Timeout = TimeSpan.MaxValue }.Validate();
    }

    [Fact]
    public async Task A_tool_that_ignores_cancellation_gets_a_bounded_grace_then_is_left_detached()
    {
        var time = new FakeTimeProvider();
        var stubborn = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            () =>
            {
                started.TrySetResult();
                return stubborn.Task; // ignores every token
            },
            "stubborn"));
        using var model = new ScriptedChatClient().ReplyToolCall("stubborn", new { }, callId: "s1");
        long detached = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RunsTelemetry.SourceName && instrument.Name == "executus.run.tools_detached")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref detached, value));
        listener.Start();

        RunHandle handle = Create(model, RunPorts.None, time, tools, new ExecutorOptions { ToolGrace = TimeSpan.FromSeconds(2) })
            .Start(new RunRequest(new RunnableAgent("w") { Tools = ["stubborn"], Timeout = TimeSpan.FromMilliseconds(300) }, "go"));
        await started.Task;
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(handle.Completion.IsCompleted); // within the grace
        time.Advance(TimeSpan.FromSeconds(2));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        Assert.Contains("timed out", result.Messages[^1].Contents.OfType<FunctionResultContent>().Single().Result?.ToString(), StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref detached) >= 1);
        stubborn.SetResult("finally"); // the detached tool ends later; nothing observes it
    }

    private static async Task<CriticVerdict> Wait(TaskCompletionSource reviewing, TaskCompletionSource<CriticVerdict> verdict)
    {
        reviewing.TrySetResult();
        return await verdict.Task;
    }

    private sealed class BlockingCritic(Func<CriticReview, Task<CriticVerdict>> judge) : ICritic
    {
        public async ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default) => await judge(review);
    }

    private sealed class LoggingAudit(ConcurrentQueue<string> log) : IAudit
    {
        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
        {
            log.Enqueue($"audit {auditEvent.Kind}");
            return ValueTask.CompletedTask;
        }
    }
}
