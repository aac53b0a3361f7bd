using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Critics.Tests;

/// <summary>An escalator that pauses a run for a human, with the Checkpoint battery keeping it resumable.</summary>
public sealed class PauseForHumanTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A model that takes one (fake) minute per call: three tool calls, then an answer.</summary>
    private sealed class ThreeSteps(FakeTimeProvider time) : IChatClient
    {
        private int _calls;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            int n = Interlocked.Increment(ref _calls);
            if (n > 3)
            {
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "all steps done")));
            }

            var call = new FunctionCallContent($"c{n}", "step", new Dictionary<string, object?> { ["n"] = n });
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { FinishReason = ChatFinishReason.ToolCalls });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_paused_run_keeps_its_checkpoint_is_skipped_by_recovery_and_completes_when_resumed_by_id()
    {
        var escalator = new RecordingEscalator(EscalationDecision.PauseForHuman);
        var reviewer = new ScriptedReviewer(CriticVerdict.Escalate("needs a human to approve step 3"), CriticVerdict.Continue);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IEscalator>(escalator);
        services.AddSingleton<IProgressReviewer>(reviewer);
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([
                new("Executus:Critic:SoftDeadline", "2m"),
                new("Executus:Critic:ReviewInterval", "10m"),
                new("Executus:Critic:HardDeadline", "1h"),
            ]))
            .UseChatClient(new ThreeSteps(_time))
            .AddTool(AIFunctionFactory.Create((int n) => $"step {n} done", "step"))
            .AddCritic()
            .AddInterruptedRunRecovery();
        await using ServiceProvider provider = services.BuildServiceProvider();
        ICheckpointStore store = provider.GetRequiredService<ICheckpointStore>();

        RunResult paused = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(new RunnableAgent("worker") { Tools = ["step"], MaxIterations = 10 }, "Work through the steps"));

        Assert.Equal(RunOutcome.Paused, paused.Outcome);
        Assert.Equal("needs a human to approve step 3", paused.StopReason);
        Assert.Equal(2, paused.Iterations);
        Assert.Equal(paused.RunId, Assert.Single(escalator.Escalations).RunId);
        RunCheckpoint kept = (await store.GetAsync(paused.RunId))!;
        Assert.Equal("needs a human to approve step 3", kept.PausedReason);
        Assert.Equal(2, kept.Iteration);
        Assert.Null(provider.GetRequiredService<TimeoutCritic>().GetState(paused.RunId));

        // Start-up recovery (policy Resume) leaves the paused run alone.
        InterruptedRunRecovery recovery = provider.GetRequiredService<InterruptedRunRecovery>();
        await recovery.StartAsync(CancellationToken.None);
        Assert.Equal([paused.RunId], recovery.LastReport!.Paused);
        Assert.Empty(recovery.LastReport.Resumed);
        Assert.NotNull(await store.GetAsync(paused.RunId));

        // The human says go on: the run resumes by id under the same run id and completes. Its deadlines count from the
        // resume (a new time budget), and its two minutes after the resume never pass the soft deadline again, so the
        // reviewer is not asked again (before, it was asked at once on resume and could pause the run straight back).
        RunResult resumed = await provider.GetRequiredService<CheckpointRecovery>().ResumeAsync(paused.RunId);
        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal(paused.RunId, resumed.RunId);
        Assert.Equal("all steps done", resumed.Text);
        Assert.Equal(4, resumed.Iterations);
        Assert.Single(reviewer.Reviews);
        Assert.Null(await store.GetAsync(paused.RunId));
        await recovery.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_run_paused_at_its_own_timeout_gets_a_new_time_budget_when_resumed()
    {
        var escalator = new RecordingEscalator(EscalationDecision.PauseForHuman);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IEscalator>(escalator);
        services.AddSingleton<IProgressReviewer>(new ScriptedReviewer(CriticVerdict.Continue));
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([new("Executus:Critic:SoftDeadline", "1h")]))
            .UseChatClient(new ThreeSteps(_time))
            .AddTool(AIFunctionFactory.Create((int n) => $"step {n} done", "step"))
            .AddCritic()
            .AddInterruptedRunRecovery();
        await using ServiceProvider provider = services.BuildServiceProvider();

        // Each model call takes a minute; the agent's own timeout (2.5 minutes) passes during the third call.
        RunResult paused = await provider.GetRequiredService<Executor>().RunAsync(
            new RunRequest(new RunnableAgent("worker") { Tools = ["step"], MaxIterations = 10, Timeout = TimeSpan.FromSeconds(150) }, "Work through the steps"));
        Assert.Equal(RunOutcome.Paused, paused.Outcome);
        Assert.Equal(CriticTrigger.HardDeadline, Assert.Single(escalator.Escalations).Trigger);
        TimeSpan pausedAfter = (await provider.GetRequiredService<ICheckpointStore>().GetAsync(paused.RunId))!.Elapsed;
        Assert.True(pausedAfter >= TimeSpan.FromSeconds(150), $"paused after {pausedAfter}");

        // Resumed, the run has its whole timeout again (counting the old stretch would time it out at once) and ends.
        RunResult resumed = await provider.GetRequiredService<CheckpointRecovery>().ResumeAsync(paused.RunId);
        Assert.Equal(RunOutcome.Completed, resumed.Outcome);
        Assert.Equal("all steps done", resumed.Text);
        Assert.Single(escalator.Escalations);
        Assert.True(resumed.Duration > pausedAfter, "the run's duration still counts the stretch before the pause");
    }

    [Fact]
    public async Task A_resumed_pause_counts_the_critics_deadlines_from_the_resume()
    {
        var reviewer = new ScriptedReviewer(CriticVerdict.Continue);
        var critic = new TimeoutCritic(reviewer, new RecordingEscalator(EscalationDecision.Escalate), new CriticOptions { SoftDeadline = TimeSpan.FromMinutes(2), HardDeadline = TimeSpan.FromMinutes(30) });
        var agent = new RunnableAgent("worker");

        // 40 minutes in, but resumed after a pause at 35 minutes: 5 minutes into the new stretch, past soft, before hard.
        var review = new CriticReview("run-7", agent, Identity.CallerIdentity.Anonymous, 3, TimeSpan.FromMinutes(40), System.Threading.Timeout.InfiniteTimeSpan, [])
        {
            ResumedAfter = TimeSpan.FromMinutes(35),
        };
        Assert.Equal(CriticVerdictKind.Continue, (await critic.ReviewAsync(review)).Kind);
        Assert.Single(reviewer.Reviews);

        // The same figures without the pause are past the 30-minute hard deadline.
        Assert.Equal(CriticVerdictKind.Escalate, (await critic.ReviewAsync(review with { RunId = "run-8", ResumedAfter = TimeSpan.Zero })).Kind);
    }

    [Fact]
    public async Task Delivery_escalator_that_pauses_says_so_and_the_critic_answers_pause()
    {
        var delivery = new RecordingDelivery();
        var critic = new TimeoutCritic(
            new ScriptedReviewer(CriticVerdict.Escalate("stuck")),
            new DeliveryEscalator(delivery, "ops", EscalationDecision.PauseForHuman),
            new CriticOptions { SoftDeadline = TimeSpan.FromMinutes(1) });
        var review = new CriticReview("run-9", new RunnableAgent("worker"), Identity.CallerIdentity.Anonymous, 3, TimeSpan.FromMinutes(2), TimeSpan.FromHours(1), []);

        CriticVerdict verdict = await critic.ReviewAsync(review);

        Assert.Equal((CriticVerdictKind.Pause, "stuck"), (verdict.Kind, verdict.Reason));
        Executus.Deliver.Delivery sent = Assert.Single(delivery.Delivered);
        Assert.Equal("paused", sent.Metadata[DeliveryEscalator.EventKey]);
        Assert.StartsWith("Run run-9 paused for a human", sent.Text, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveryEscalator(delivery, null, (EscalationDecision)7));
    }
}
