using Executus.Auditing;
using Executus.Compaction;
using Executus.Dispatch;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Runs;

public class AuditTrailTests
{
    private static readonly UsageDetails Ten = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };

    private static ToolRegistry Tools()
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        tools.Register(AIFunctionFactory.Create(() => "deployed", "deploy"), new ToolMetadata { NeedsApproval = true, SideEffect = SideEffect.Write });
        tools.Register(AIFunctionFactory.Create(() => new string('x', 2000), "big"));
        return tools;
    }

    [Fact]
    public async Task Runs_that_end_the_same_way_share_one_read_only_run_finished_data()
    {
        using var model = new ScriptedChatClient().ReplyText("one").ReplyText("two").ReplyText("three");
        var audit = new RecordingAudit();
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Audit = audit });
        var agent = new RunnableAgent("ops");

        await executor.RunAsync(new RunRequest(agent, "a"));
        await executor.RunAsync(new RunRequest(agent, "b"));
        await executor.RunAsync(new RunRequest(agent with { Instructions = "Other." }, "c"));

        IReadOnlyDictionary<string, string>[] data = [.. audit.Events.Where(e => e.Kind == AuditEventKind.RunFinished).Select(e => e.Data)];
        Assert.Equal(3, data.Length);

        // Why: an audit store keeps records for days; a dictionary per run would be kept alive with each.
        Assert.Same(data[0], data[1]);
        Assert.Same(data[0], data[2]);
        Assert.Equal("Completed", data[0]["outcome"]);
        Assert.Equal("1", data[0]["iterations"]);
        Assert.Equal("NotDelivered", data[0]["delivery"]);
        Assert.IsNotType<Dictionary<string, string>>(data[0]);

        // The detail (the outcome's name when the run gave no reason) is one shared string too. Why the kernel's own
        // table: once optimised by the JIT, Enum.ToString returns a new string per call.
        string?[] details = [.. audit.Events.Where(e => e.Kind == AuditEventKind.RunFinished).Select(e => e.Detail)];
        Assert.All(details, detail => Assert.Same(RunsTelemetry.OutcomeName(RunOutcome.Completed), detail));
        Assert.Equal("Completed", details[0]);
    }

    [Fact]
    public void Run_finished_data_is_shared_only_within_its_bound_and_always_right()
    {
        IReadOnlyDictionary<string, string> small = RunFinishedAuditData.For(RunOutcome.MaxIterations, 255, RunDeliveryStatus.Delivered);
        Assert.Same(small, RunFinishedAuditData.For(RunOutcome.MaxIterations, 255, RunDeliveryStatus.Delivered));
        Assert.Equal(("MaxIterations", "255", "Delivered"), (small["outcome"], small["iterations"], small["delivery"]));

        // Past the bound, and for values no enum member names, each run gets its own (right) dictionary.
        IReadOnlyDictionary<string, string> large = RunFinishedAuditData.For(RunOutcome.Completed, 256, RunDeliveryStatus.NotDelivered);
        Assert.NotSame(large, RunFinishedAuditData.For(RunOutcome.Completed, 256, RunDeliveryStatus.NotDelivered));
        Assert.Equal(("Completed", "256"), (large["outcome"], large["iterations"]));
        IReadOnlyDictionary<string, string> odd = RunFinishedAuditData.For((RunOutcome)999, 1, RunDeliveryStatus.NotDelivered);
        Assert.NotSame(odd, RunFinishedAuditData.For((RunOutcome)999, 1, RunDeliveryStatus.NotDelivered));
        Assert.Equal("999", odd["outcome"]);
    }

    [Fact]
    public async Task One_event_per_decision_numbered_with_usage_and_structured_arguments()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("add", new { a = 2, b = 3 }, usage: Ten)
            .ReplyToolCall("deploy", new { }, usage: Ten)
            .ReplyText("done", Ten);
        var audit = new RecordingAudit();
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Audit = audit });

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("ops") { Tools = ["add", "deploy"] }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(
            [
                AuditEventKind.RunStarted, AuditEventKind.ModelCall, AuditEventKind.ToolCall, AuditEventKind.ModelCall,
                AuditEventKind.ToolDenied, AuditEventKind.ModelCall, AuditEventKind.RunFinished,
            ],
            audit.Kinds);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), audit.Events.Select(e => e.Sequence));
        Assert.All(audit.Events, e => Assert.Equal(result.RunId, e.RunId));
        AuditEvent denied = audit.Events.Single(e => e.Kind == AuditEventKind.ToolDenied);
        Assert.Equal("deploy", denied.ToolName);
        Assert.Equal(2, denied.Iteration);
        Assert.Equal(nameof(PermissionStage.Invocation), denied.Data["stage"]); // stage 3
        AuditEvent call = audit.Events.Single(e => e.Kind == AuditEventKind.ToolCall);
        Assert.Equal(3, call.Arguments?.GetProperty("b").GetInt32());
        Assert.All(audit.Events.Where(e => e.Kind == AuditEventKind.ModelCall), e => Assert.Equal(10, e.Usage?.TotalTokenCount));
        Assert.Equal(30, audit.Events.Single(e => e.Kind == AuditEventKind.RunFinished).Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Compaction_and_dispatch_guard_trips_are_audited()
    {
        using var model = new ScriptedChatClient();
        model.WhenExhausted(_ => model.CreateResponse([new FunctionCallContent(Guid.NewGuid().ToString("N"), "big", new Dictionary<string, object?>())]));
        var audit = new RecordingAudit();
        var compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 1000, TriggerFraction = 0.6, TargetFraction = 0.4, KeepRecentTurns = 1 });
        var guard = new DispatchGuard(new DispatchLimits { MaxRepeats = 3 });
        var executor = new Executor(new FixedModelResolver(model), Tools(), new RunPorts { Audit = audit }, compactor: compactor, guard: guard);

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("grow") { Tools = ["big"], MaxConsecutiveToolErrors = 1 }, "grow"));

        Assert.Equal(RunOutcome.ToolErrorLimit, result.Outcome);
        Assert.Contains(AuditEventKind.Compaction, audit.Kinds);
        AuditEvent trip = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.DispatchGuardTripped);
        Assert.Equal("big", trip.ToolName);
        Assert.DoesNotContain(audit.Events, e => e.Kind == AuditEventKind.ToolDenied);
    }

    [Fact]
    public async Task Model_and_tool_calls_are_audited_with_their_durations_at_the_moment_they_ended()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            (int seconds) =>
            {
                time.Advance(TimeSpan.FromSeconds(seconds));
                return "slept";
            },
            "sleep"));
        var model = new SlowModel(time);
        var audit = new RecordingAudit();
        var events = new List<RunEvent>();
        var executor = new Executor(
            new FixedModelResolver(model),
            tools,
            new RunPorts { Audit = audit, Observers = [new CollectingObserver(events)] },
            timeProvider: time);

        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("sleeper") { Tools = ["sleep"] }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        DateTimeOffset start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
        AuditEvent[] models = [.. audit.Events.Where(e => e.Kind == AuditEventKind.ModelCall)];
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], models.Select(e => e.Duration));
        Assert.Equal([start.AddSeconds(2), start.AddSeconds(9)], models.Select(e => e.Timestamp));
        AuditEvent tool = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.ToolCall);
        Assert.Equal(TimeSpan.FromSeconds(5), tool.Duration);
        Assert.Equal(start.AddSeconds(7), tool.Timestamp);
        Assert.All(audit.Events.Where(e => e.Kind is not (AuditEventKind.ModelCall or AuditEventKind.ToolCall)), e => Assert.Null(e.Duration));

        // The run's events carry the same moments: the tool started after the first model call and ended 5 s later.
        Assert.Equal(start.AddSeconds(2), Assert.Single(events.OfType<ToolCallStartedEvent>()).Timestamp);
        Assert.Equal(start.AddSeconds(7), Assert.Single(events.OfType<ToolCallCompletedEvent>()).Timestamp);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], events.OfType<ModelCallCompletedEvent>().Select(e => e.Latency));
        Assert.Equal([start, start.AddSeconds(7)], events.OfType<StepStartedEvent>().Select(e => e.Timestamp));
        Assert.Equal([start.AddSeconds(7), start.AddSeconds(9)], events.OfType<StepFinishedEvent>().Select(e => e.Timestamp));
    }

    [Fact]
    public async Task A_run_with_every_port_reads_the_clock_once_per_moment()
    {
        // Each tool step has three moments (the model call's end, which the tool's dispatch shares; the tool's end; the
        // turn's checkpoint, which the step's end and the next step's start share); the answer step has one. A
        // regression to a clock read per event and record (11 per step before) fails this.
        var events = new List<RunEvent>();
        (RunResult result, int reads) = await RunThreeToolStepsAsync(
            new RunPorts { Audit = new RecordingAudit(), Checkpointer = new RecordingCheckpointer(), Observers = [new CollectingObserver(events)] });

        Assert.Equal(4, result.Iterations);
        AssertReadsPerToolStep(reads, 3);
    }

    [Fact]
    public async Task A_run_with_audit_alone_reads_the_clock_twice_per_tool_step()
    {
        // With audit and no checkpoints the moments of a tool step are the model call's end (the tool's dispatch shares
        // it) and the tool's end (the next step's start shares it). Before, the dispatch and the next step read again.
        var audit = new RecordingAudit();
        (RunResult result, int reads) = await RunThreeToolStepsAsync(new RunPorts { Audit = audit });

        Assert.Equal(3, audit.Events.Count(e => e.Kind == AuditEventKind.ToolCall));
        AssertReadsPerToolStep(reads, 2);
    }

    /// <summary>Runs three tool steps and an answer on a clock that counts its readings.</summary>
    private static async Task<(RunResult Result, int Reads)> RunThreeToolStepsAsync(RunPorts ports)
    {
        var time = new CountingTimeProvider();
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int i) => i + 1, "step"));
        using var model = new ScriptedChatClient()
            .ReplyToolCall("step", new { i = 1 })
            .ReplyToolCall("step", new { i = 2 })
            .ReplyToolCall("step", new { i = 3 })
            .ReplyText("done");
        var executor = new Executor(new FixedModelResolver(model), tools, ports, timeProvider: time);
        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("stepper") { Tools = ["step"] }, "go"));
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        return (result, time.Reads);
    }

    private static void AssertReadsPerToolStep(int reads, int perStep)
    {
        int outside = reads - ((3 * perStep) + 1);
        Assert.True(outside <= 4, $"{reads} clock reads for 3 tool steps and an answer: {outside} outside the steps (at most 4 expected: the start, the deadline, the first step, the finish).");
    }

    [Fact]
    public async Task A_tool_dispatched_after_an_audit_record_that_waited_reads_its_own_start()
    {
        // The model call's end is read, then its audit record waits 3 s: the tool did not start at the model call's end.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int i) => i + 1, "step"));
        using var model = new ScriptedChatClient()
            .ReplyToolCall("step", new { i = 1 })
            .ReplyText("done");
        var events = new List<RunEvent>();
        var executor = new Executor(
            new FixedModelResolver(model),
            tools,
            new RunPorts { Audit = new WaitingAudit(time, AuditEventKind.ModelCall, TimeSpan.FromSeconds(3)), Observers = [new CollectingObserver(events)] },
            timeProvider: time);
        RunResult result = await executor.RunAsync(new RunRequest(new RunnableAgent("stepper") { Tools = ["step"] }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        DateTimeOffset modelEnded = events.OfType<ModelCallCompletedEvent>().First().Timestamp;
        Assert.Equal(modelEnded.AddSeconds(3), Assert.Single(events.OfType<ToolCallStartedEvent>()).Timestamp);
    }

    /// <summary>An audit port whose records of one kind take a while (the fake clock moves on), then complete.</summary>
    private sealed class WaitingAudit(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, AuditEventKind slowKind, TimeSpan wait) : IAudit
    {
        public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) =>
            auditEvent.Kind == slowKind ? new ValueTask(WaitAsync()) : default;

        private async Task WaitAsync()
        {
            // Why: still pending when the kernel looks at it (a yield alone may finish first on another thread).
            await Task.Delay(50);
            time.Advance(wait);
        }
    }

    private sealed class CountingTimeProvider : TimeProvider
    {
        public int Reads { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            Reads++;
            return base.GetUtcNow();
        }

        public override long GetTimestamp()
        {
            Reads++;
            return base.GetTimestamp();
        }
    }

    /// <summary>A model whose every call takes two (fake) seconds: first a call of the sleep tool, then an answer.</summary>
    private sealed class SlowModel(Microsoft.Extensions.Time.Testing.FakeTimeProvider time) : IChatClient
    {
        private int _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(++_calls == 1
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "sleep", new Dictionary<string, object?> { ["seconds"] = 5 })]))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, "rested")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class CollectingObserver(List<RunEvent> events) : IRunObserver
    {
        public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
        {
            lock (events)
            {
                events.Add(runEvent);
            }

            return default;
        }
    }
}
