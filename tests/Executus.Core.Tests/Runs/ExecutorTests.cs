using System.Collections.Concurrent;
using System.Net;
using Executus.Auditing;
using Executus.Compaction;
using Executus.Deliver;
using Executus.Dispatch;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Core.Tests.Runs;

public class ExecutorTests
{
    private static readonly UsageDetails TenTokens = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };

    private readonly ConcurrentQueue<RunResult> _subRuns = new();

    private static RunnableAgent Agent(params string[] tools) => new("helper") { Tools = tools, Instructions = "Be brief." };

    private ToolRegistry Tools()
    {
        var registry = new ToolRegistry();
        registry.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers."));
        registry.Register(AIFunctionFactory.Create(int () => throw new InvalidOperationException("disk full"), "fail"));
        registry.Register(AIFunctionFactory.Create(() => new string('x', 2000), "big"));
        registry.Register(AIFunctionFactory.Create(
            (string name) =>
            {
                RunContext.Current!.Attachments.Add(new DataContent(new byte[] { 1, 2, 3 }, "image/png") { Name = name });
                return "attached";
            },
            "attach"));
        registry.Register(AIFunctionFactory.Create(
            async (string task, CancellationToken ct) =>
            {
                RunContext context = RunContext.Current!;
                RunResult sub = await context.Executor.RunAsync(new RunRequest(context.Agent, task), ct);
                _subRuns.Enqueue(sub);
                return $"{sub.Outcome}: {sub.StopReason ?? sub.Text}";
            },
            "delegate"));
        return registry;
    }

    private Executor Create(IChatClient model, RunPorts? ports = null, TimeProvider? time = null, DispatchGuard? guard = null, ICompactor? compactor = null, ExecutorOptions? options = null) =>
        new(new FixedModelResolver(model), Tools(), ports, options, compactor, guard, time);

    [Fact]
    public async Task Completes_a_tool_round_trip_with_null_ports()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 2, b = 3 }, usage: TenTokens).ReplyText("5", TenTokens);

        RunResult result = await Create(model).RunAsync(new RunRequest(Agent("add"), "2+3?"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.True(result.Succeeded);
        Assert.Equal("5", result.Text);
        Assert.Equal(2, result.Iterations);
        Assert.Equal(20, result.Usage.TotalTokenCount);
        Assert.Equal(4, result.Messages.Count); // user, assistant(call), tool(result), assistant(text)
        Assert.Equal("5", result.Messages[2].Contents.OfType<FunctionResultContent>().Single().Result?.ToString());
        Assert.Equal(RunDeliveryStatus.NotDelivered, result.Delivery);
        Assert.StartsWith("run_", result.RunId, StringComparison.Ordinal);
        ChatOptions? sent = model.Requests[0].Options;
        Assert.Equal("Be brief.", sent?.Instructions);
        Assert.Equal(["add"], sent?.Tools?.Select(t => t.Name));
    }

    [Fact]
    public async Task An_agent_without_tools_answers_directly()
    {
        using var model = new ScriptedChatClient().ReplyText("hi");
        RunResult result = await Create(model).RunAsync(new RunRequest(new RunnableAgent("plain"), "hello"));
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Null(model.Requests[0].Options?.Tools);
    }

    [Fact]
    public async Task Stops_at_max_iterations_keeping_the_conversation()
    {
        using var model = new ScriptedChatClient();
        model.WhenExhausted(_ => model.CreateResponse([new FunctionCallContent(Guid.NewGuid().ToString("N"), "add", new Dictionary<string, object?> { ["a"] = Random.Shared.Next(), ["b"] = 1 })]));

        RunResult result = await Create(model).RunAsync(new RunRequest(Agent("add") with { MaxIterations = 3 }, "loop"));

        Assert.Equal(RunOutcome.MaxIterations, result.Outcome);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(3, model.Requests.Count);
        Assert.Equal(7, result.Messages.Count);
        Assert.Contains("3 model calls", result.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_after_max_consecutive_tool_errors_and_a_success_resets_the_count()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("fail")
            .ReplyToolCall("add", new { a = 1, b = 1 })
            .ReplyToolCall("fail", new { })
            .ReplyToolCall("nope")
            .ReplyText("never");

        RunResult result = await Create(model).RunAsync(new RunRequest(Agent("add", "fail") with { MaxConsecutiveToolErrors = 2 }, "go"));

        Assert.Equal(RunOutcome.ToolErrorLimit, result.Outcome);
        Assert.Equal(4, result.Iterations);
        FunctionResultContent failed = result.Messages[2].Contents.OfType<FunctionResultContent>().Single();
        Assert.Contains("disk full", failed.Result?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_arguments_and_unknown_tools_come_back_as_readable_errors()
    {
        using var model = new ScriptedChatClient()
            .ReplyRawToolCall("add", "{\"a\": 1, ")
            .ReplyToolCall("no_such_tool", new { q = 1 })
            .ReplyToolCall("add", new { a = "two", b = 3 })
            .ReplyText("recovered");

        RunResult result = await Create(model).RunAsync(new RunRequest(Agent("add") with { MaxConsecutiveToolErrors = 5 }, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        string[] errors = [.. result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? "")];
        Assert.Equal(3, errors.Length);
        Assert.All(errors, e => Assert.StartsWith("Error", e, StringComparison.Ordinal));
        Assert.Contains("no_such_tool", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_out_on_its_own_clock_and_keeps_the_conversation()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(5));
        var checkpoints = new RecordingCheckpointer();
        Executor executor = Create(model, new RunPorts { Checkpointer = checkpoints }, time);

        RunHandle handle = executor.Start(new RunRequest(Agent("add") with { Timeout = TimeSpan.FromSeconds(30) }, "go"));
        Assert.False(handle.Completion.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.TimedOut, result.Outcome);
        Assert.Equal(3, result.Messages.Count);
        Assert.Contains("timeout", result.StopReason, StringComparison.Ordinal);
        Assert.Equal(["save 1", "fail TimedOut"], checkpoints.Log);
    }

    [Fact]
    public async Task Cancelled_by_the_caller_keeps_the_conversation_and_the_checkpoint()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(1));
        var checkpoints = new RecordingCheckpointer();
        using var cts = new CancellationTokenSource();

        Task<RunResult> run = Create(model, new RunPorts { Checkpointer = checkpoints }, time).RunAsync(new RunRequest(Agent("add"), "go"), cts.Token);
        await cts.CancelAsync();
        RunResult result = await run;

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        Assert.Equal(3, result.Messages.Count);
        Assert.Equal(["save 1", "save 1"], checkpoints.Log); // saved at the end (elapsed, usage), neither completed nor failed: resume picks it up
    }

    [Fact]
    public async Task A_detached_run_outlives_the_caller_and_still_delivers()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time)
            .ReplyText("done late").WithDelay(TimeSpan.FromMinutes(1))
            .ReplyText("second done").WithDelay(TimeSpan.FromMinutes(1));
        var delivery = new RecordingDelivery();
        Executor executor = Create(model, new RunPorts { Delivery = delivery }, time);
        using var cts = new CancellationTokenSource();
        var request = new RunRequest(Agent(), "go") { Detached = true };

        RunHandle handle = executor.Start(request, cts.Token);
        Task<RunResult> waiting = executor.RunAsync(request with { RunId = "second" }, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(handle.Completion.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(1));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("done late", result.Text);
        Assert.Equal(RunDeliveryStatus.Delivered, result.Delivery);
        Assert.Contains(delivery.Deliveries, d => d.Text == "done late" && d.RunId == handle.RunId);
        Assert.Contains(delivery.Deliveries, d => d.Text == "second done" && d.RunId == "second");
    }

    [Fact]
    public async Task Budget_refusal_before_any_spend_makes_no_model_call()
    {
        using var model = new ScriptedChatClient().ReplyText("never");
        var budget = new RecordingBudget(denyAtIteration: 1);

        RunResult result = await Create(model, new RunPorts { Budget = budget }).RunAsync(new RunRequest(Agent(), "go"));

        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal("weekly budget of $5.00 spent", result.StopReason);
        Assert.Empty(model.Requests);
        Assert.Empty(budget.Charges);
        Assert.Single(result.Messages);
    }

    [Fact]
    public async Task Budget_refusal_mid_run_keeps_what_was_done()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }, usage: TenTokens).ReplyText("never");
        var budget = new RecordingBudget(denyAtIteration: 2);

        RunResult result = await Create(model, new RunPorts { Budget = budget }).RunAsync(new RunRequest(Agent("add"), "go"));

        Assert.Equal(RunOutcome.BudgetExceeded, result.Outcome);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(3, result.Messages.Count);
        BudgetCharge charge = Assert.Single(budget.Charges);
        Assert.Equal(10, charge.Usage.TotalTokenCount);
        Assert.Equal([1, 2], budget.Checks.Select(c => c.Iteration));
    }

    [Fact]
    public async Task A_sub_agent_chain_trips_the_depth_cap_and_the_caller_flows_down()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("delegate", new { task = "level 2" })
            .ReplyToolCall("delegate", new { task = "level 3" })
            .ReplyText("level 2 done")
            .ReplyText("level 1 done");
        var budget = new RecordingBudget();
        var guard = new DispatchGuard(new DispatchLimits { MaxDepth = 1 });
        var caller = new CallerIdentity("u1", tenantKey: "t1");

        RunResult result = await Create(model, new RunPorts { Budget = budget }, guard: guard).RunAsync(new RunRequest(Agent("delegate"), "level 1") { Caller = caller });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("level 1 done", result.Text);
        RunResult[] subs = [.. _subRuns];
        Assert.Equal([RunOutcome.GuardTripped, RunOutcome.Completed], subs.Select(s => s.Outcome));
        Assert.Contains("nest sub-agents 2 deep", subs[0].StopReason, StringComparison.Ordinal);
        Assert.All(budget.Checks, c => Assert.Equal(caller, c.Caller));
        Assert.Equal(4, model.Requests.Count);
    }

    [Fact]
    public async Task The_dispatch_guard_refuses_a_looping_tool_call_as_a_tool_error()
    {
        using var model = new ScriptedChatClient();
        model.WhenExhausted(_ => model.CreateResponse([new FunctionCallContent(Guid.NewGuid().ToString("N"), "add", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 1 })]));
        var guard = new DispatchGuard(new DispatchLimits { MaxRepeats = 2 });

        RunResult result = await Create(model, guard: guard).RunAsync(new RunRequest(Agent("add") with { MaxConsecutiveToolErrors = 1, MaxIterations = 10 }, "loop"));

        Assert.Equal(RunOutcome.ToolErrorLimit, result.Outcome);
        Assert.Equal(3, result.Iterations);
        FunctionResultContent last = result.Messages[^1].Contents.OfType<FunctionResultContent>().Single();
        Assert.IsType<DispatchDeniedException>(last.Exception);
        Assert.Contains("loop", last.Result?.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(CriticVerdictKind.Stop, RunOutcome.CriticStopped)]
    [InlineData(CriticVerdictKind.Escalate, RunOutcome.Escalated)]
    public async Task The_critic_can_stop_or_escalate(CriticVerdictKind kind, RunOutcome expected)
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("never");
        var critic = new ScriptedCritic(r => r.Iteration < 1 ? CriticVerdict.Continue
            : kind == CriticVerdictKind.Stop ? CriticVerdict.Stop("no progress") : CriticVerdict.Escalate("hard deadline"));

        RunResult result = await Create(model, new RunPorts { Critic = critic }).RunAsync(new RunRequest(Agent("add"), "go"));

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(3, result.Messages.Count);
        Assert.Equal([0, 1], critic.Reviews.Select(r => r.Iteration));
    }

    [Fact]
    public async Task The_critic_can_extend_the_timeout()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("made it").WithDelay(TimeSpan.FromSeconds(50));
        var critic = new ScriptedCritic(_ => CriticVerdict.Extend(TimeSpan.FromSeconds(30), "making progress"));

        RunHandle handle = Create(model, new RunPorts { Critic = critic }, time).Start(new RunRequest(Agent() with { Timeout = TimeSpan.FromSeconds(40) }, "go"));
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.False(handle.Completion.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        RunResult result = await handle.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(40), Assert.Single(critic.Reviews).Timeout);
    }

    [Fact]
    public async Task A_model_failure_is_a_failed_outcome_with_the_error_and_the_conversation()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("add", new { a = 1, b = 2 }).ThrowHttp(HttpStatusCode.Unauthorized);
        var checkpoints = new RecordingCheckpointer();

        RunResult result = await Create(model, new RunPorts { Checkpointer = checkpoints }).RunAsync(new RunRequest(Agent("add"), "go"));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.IsType<HttpRequestException>(result.Error);
        Assert.Equal(3, result.Messages.Count);
        Assert.Equal(["save 1", "fail Failed"], checkpoints.Log);
    }

    [Fact]
    public async Task Ports_are_called_at_the_right_moments()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("attach", new { name = "chart.png" }, usage: TenTokens).ReplyText("here", TenTokens);
        var budget = new RecordingBudget();
        var audit = new RecordingAudit();
        var checkpoints = new RecordingCheckpointer();
        var observer = new RecordingObserver();
        var delivery = new RecordingDelivery();
        var ports = new RunPorts { Budget = budget, Audit = audit, Checkpointer = checkpoints, Observers = [observer, new ThrowingObserver()], Delivery = delivery };

        RunResult result = await Create(model, ports).RunAsync(new RunRequest(Agent("attach"), "draw") { Caller = new CallerIdentity("u9") });

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([1, 2], budget.Checks.Select(c => c.Iteration));
        Assert.Equal(2, budget.Charges.Count);
        Assert.Equal(
            [AuditEventKind.RunStarted, AuditEventKind.ModelCall, AuditEventKind.ToolCall, AuditEventKind.ModelCall, AuditEventKind.RunFinished],
            audit.Kinds);
        Assert.All(audit.Events, e => Assert.Equal(result.RunId, e.RunId));
        Assert.All(audit.Events, e => Assert.Equal("u9", e.Caller?.Id));
        Assert.Equal(["save 1", "complete"], checkpoints.Log);
        Assert.Equal(2, Assert.Single(checkpoints.Saves).Messages.Count(m => m.Role != ChatRole.User));

        Delivery delivered = Assert.Single(delivery.Deliveries);
        Assert.Equal("here", delivered.Text);
        Assert.Equal("chart.png", Assert.Single(delivered.Attachments).Name);
        Assert.Equal("Completed", delivered.Metadata["outcome"]);
        Assert.Equal(RunDeliveryStatus.Delivered, result.Delivery);
        Assert.Single(result.Attachments);

        Assert.IsType<RunStartedEvent>(observer.Events.First());
        Assert.IsType<RunFinishedEvent>(observer.Events.Last());
    }

    [Fact]
    public async Task A_failing_delivery_is_reported_and_the_output_kept()
    {
        using var model = new ScriptedChatClient().ReplyText("important answer");
        RunResult result = await Create(model, new RunPorts { Delivery = new RecordingDelivery(fail: true) }).RunAsync(new RunRequest(Agent(), "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(RunDeliveryStatus.Failed, result.Delivery);
        Assert.IsType<HttpRequestException>(result.DeliveryError);
        Assert.Equal("important answer", result.Text);
    }

    [Fact]
    public async Task Streaming_events_arrive_in_order_and_match_the_plain_result()
    {
        static ScriptedChatClient Script() => new ScriptedChatClient().ReplyToolCall("add", new { a = 2, b = 3 }).ReplyStreaming("The ", "sum ", "is 5.");
        var observer = new RecordingObserver();
        using ScriptedChatClient streamedModel = Script();
        using ScriptedChatClient plainModel = Script();

        List<RunEvent> events = [];
        await foreach (RunEvent e in Create(streamedModel, new RunPorts { Observers = [observer] }).RunStreamingAsync(new RunRequest(Agent("add"), "2+3?")))
        {
            events.Add(e);
        }

        RunResult plain = await Create(plainModel).RunAsync(new RunRequest(Agent("add"), "2+3?"));

        Assert.Equal(
            [
                typeof(RunStartedEvent), typeof(StepStartedEvent), typeof(ModelCallCompletedEvent), typeof(ToolCallStartedEvent),
                typeof(ToolCallCompletedEvent), typeof(StepFinishedEvent), typeof(StepStartedEvent), typeof(ModelTextDeltaEvent),
                typeof(ModelTextDeltaEvent), typeof(ModelTextDeltaEvent), typeof(ModelCallCompletedEvent), typeof(StepFinishedEvent),
                typeof(RunFinishedEvent),
            ],
            events.Select(e => e.GetType()));
        Assert.Equal(events, observer.Events);
        RunResult streamed = ((RunFinishedEvent)events[^1]).Result;
        Assert.Equal("The sum is 5.", string.Concat(events.OfType<ModelTextDeltaEvent>().Select(d => d.Text)));
        Assert.Equal(plain.Outcome, streamed.Outcome);
        Assert.Equal(plain.Text, streamed.Text);
        Assert.Equal(plain.Iterations, streamed.Iterations);
        Assert.Equal(plain.Messages.Count, streamed.Messages.Count);
        Assert.All(streamedModel.Requests, r => Assert.True(r.Streaming));
        Assert.True(events.Select(e => e.Iteration).SequenceEqual(events.Select(e => e.Iteration).Order()));
    }

    [Fact]
    public async Task Abandoning_a_stream_cancels_an_attached_run()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time).ReplyText("slow").WithDelay(TimeSpan.FromMinutes(1));
        var audit = new RecordingAudit();
        await foreach (RunEvent e in Create(model, new RunPorts { Audit = audit }, time).RunStreamingAsync(new RunRequest(Agent(), "go")))
        {
            if (e is StepStartedEvent)
            {
                break;
            }
        }

        AuditEvent finished = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.RunFinished);
        Assert.Equal("Cancelled", finished.Data["outcome"]);
    }

    [Fact]
    public async Task Compaction_happens_mid_run_when_the_history_grows()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("big").ReplyToolCall("big", new { }).ReplyToolCall("big", new { again = true }).ReplyText("done");
        var observer = new RecordingObserver();
        var compactor = new TokenBudgetCompactor(new CompactionOptions { ContextWindowTokens = 1000, TriggerFraction = 0.6, TargetFraction = 0.4, KeepRecentTurns = 1 });

        RunResult result = await Create(model, new RunPorts { Observers = [observer] }, compactor: compactor)
            .RunAsync(new RunRequest(Agent("big") with { MaxConsecutiveToolErrors = 5 }, "grow"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        CompactionEvent compaction = Assert.IsType<CompactionEvent>(observer.Events.First(e => e is CompactionEvent));
        Assert.True(compaction.Iteration > 1);
        int lastChars = model.Requests[^1].Messages.Sum(m => m.Contents.OfType<FunctionResultContent>().Sum(r => r.Result?.ToString()?.Length ?? 0));
        Assert.True(lastChars < 3 * 2000, $"the last request still carried {lastChars} characters of tool results");
    }

    [Fact]
    public async Task Resumes_from_a_checkpoint_under_the_same_run_id()
    {
        var time = new FakeTimeProvider();
        var checkpoints = new RecordingCheckpointer();
        using var cts = new CancellationTokenSource();
        using var firstTimed = new ScriptedChatClient(timeProvider: time).ReplyToolCall("add", new { a = 1, b = 2 }).ReplyText("x").WithDelay(TimeSpan.FromHours(1));

        Task<RunResult> interrupted = Create(firstTimed, new RunPorts { Checkpointer = checkpoints }, time).RunAsync(new RunRequest(Agent("add"), "go"), cts.Token);
        await cts.CancelAsync();
        RunResult stopped = await interrupted;
        RunCheckpoint checkpoint = checkpoints.Saves.Last();

        using var second = new ScriptedChatClient().ReplyText("3");
        RunResult resumed = await Create(second).RunAsync(RunRequest.Resume(checkpoint));

        Assert.Equal(RunOutcome.Cancelled, stopped.Outcome);
        Assert.Equal(stopped.RunId, resumed.RunId);
        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal(2, resumed.Iterations);
        Assert.Equal(3, second.Requests[0].Messages.Count);
    }

    [Fact]
    public async Task Input_attachments_go_with_the_last_user_message()
    {
        using var model = new ScriptedChatClient().ReplyText("a cat");
        await Create(model).RunAsync(new RunRequest(Agent(), "what is this?") { Attachments = [new DataContent(new byte[] { 1 }, "image/png")] });
        ChatMessage sent = Assert.Single(model.Requests[0].Messages);
        Assert.Equal(2, sent.Contents.Count);
        Assert.IsType<DataContent>(sent.Contents[1]);
    }

    [Fact]
    public void Bad_requests_fail_fast_with_argument_errors()
    {
        using var model = new ScriptedChatClient();
        Executor executor = Create(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Start(new RunRequest(Agent() with { MaxIterations = 0 }, "x")));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Start(new RunRequest(Agent() with { Timeout = TimeSpan.Zero }, "x")));
        Assert.Throws<ArgumentException>(() => new RunRequest(Agent(), Array.Empty<ChatMessage>()));
        Assert.Throws<ArgumentException>(() => new RunnableAgent(" "));
        Assert.Throws<ArgumentNullException>(() => new Executor(null!));
    }
}
