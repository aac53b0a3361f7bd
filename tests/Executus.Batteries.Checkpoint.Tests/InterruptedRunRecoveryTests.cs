using Executus.Auditing;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Lanes;
using Executus.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Executus.Batteries.Checkpoint.Tests.TestRuns;

namespace Executus.Batteries.Checkpoint.Tests;

public class InterruptedRunRecoveryTests
{
    private static readonly CheckpointOptions EveryTurn = new() { MinInterval = TimeSpan.Zero };

    [Fact]
    public async Task Resume_policy_resumes_on_the_lane_keeping_run_id_and_iteration_count()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        var audit = new RecordingAudit();
        var model = new DeterministicModel(steps: 2);
        await using var lanes = new LaneRegistry(new InMemoryConfigSource());
        var recovery = new InterruptedRunRecovery(Recovery(store, model, audit), new InterruptedRunRecoveryOptions { Policy = RecoveryPolicy.Resume }, lanes);

        await recovery.StartAsync(CancellationToken.None);
        RunResult result = await recovery.LastReport!.Resumed["r1"];

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("r1", result.RunId);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(2, model.Calls);
        Assert.Equal(1, lanes.Get("recovery").GetStatistics().Submitted);
        AuditEvent resumed = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.RunResumed);
        Assert.Equal("r1", resumed.RunId);
        Assert.Equal(0, store.Count);
        await recovery.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Abandon_policy_marks_the_run_failed_and_audits_it()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        var audit = new RecordingAudit();
        var model = new DeterministicModel(steps: 2);
        var recovery = new InterruptedRunRecovery(Recovery(store, model, audit), new InterruptedRunRecoveryOptions { Policy = RecoveryPolicy.Abandon });

        await recovery.StartAsync(CancellationToken.None);

        Assert.Equal(["r1"], recovery.LastReport!.Abandoned);
        Assert.Equal(0, store.Count);
        Assert.Equal(0, model.Calls);
        AuditEvent finished = Assert.Single(audit.Events);
        Assert.Equal(AuditEventKind.RunFinished, finished.Kind);
        Assert.Equal("r1", finished.RunId);
        Assert.Equal("writer", finished.AgentName);
        Assert.Equal("Failed", finished.Data["outcome"]);
        Assert.Equal("true", finished.Data["abandoned"]);
        Assert.Contains("policy Abandon", finished.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notify_policy_tells_the_operator_and_keeps_the_checkpoint()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        var operatorDelivery = new RecordingDelivery();
        var model = new DeterministicModel(steps: 2);
        var recovery = new InterruptedRunRecovery(Recovery(store, model, new RecordingAudit()), new InterruptedRunRecoveryOptions { Policy = RecoveryPolicy.Notify, OperatorDelivery = operatorDelivery });

        await recovery.StartAsync(CancellationToken.None);

        Delivery told = Assert.Single(operatorDelivery.Deliveries);
        Assert.Equal("r1", told.RunId);
        Assert.Equal("interrupted", told.Metadata["executus.checkpoint.event"]);
        Assert.Contains("writer", told.Text, StringComparison.Ordinal);
        Assert.Equal(["r1"], recovery.LastReport!.Notified);
        Assert.Equal(1, store.Count);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public async Task A_run_that_fails_to_resume_N_times_is_abandoned()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("bad") with { SchemaVersion = 99 }, 0);
        var audit = new RecordingAudit();
        var options = new InterruptedRunRecoveryOptions { MaxResumeAttempts = 3 };

        for (int boot = 1; boot <= 2; boot++)
        {
            var recovery = new InterruptedRunRecovery(Recovery(store, new DeterministicModel(steps: 1), audit), options);
            await recovery.StartAsync(CancellationToken.None);
            Assert.Equal(["bad"], recovery.LastReport!.Failed);
            Assert.Equal(boot, Assert.Single((await store.ListInterruptedAsync(10)).Items).ResumeAttempts);
        }

        var last = new InterruptedRunRecovery(Recovery(store, new DeterministicModel(steps: 1), audit), options);
        await last.StartAsync(CancellationToken.None);

        Assert.Equal(["bad"], last.LastReport!.Abandoned);
        Assert.Equal(0, store.Count);
        AuditEvent abandoned = Assert.Single(audit.Events);
        Assert.Contains("3 resume attempt(s)", abandoned.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_resumed_too_often_without_ending_is_abandoned_before_resuming()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("loop"), 0);
        for (int i = 0; i < 2; i++)
        {
            await store.RecordResumeAttemptAsync("loop");
        }

        var model = new DeterministicModel(steps: 1);
        var recovery = new InterruptedRunRecovery(Recovery(store, model, new RecordingAudit()), new InterruptedRunRecoveryOptions { MaxResumeAttempts = 2 });
        await recovery.StartAsync(CancellationToken.None);

        Assert.Equal(["loop"], recovery.LastReport!.Abandoned);
        Assert.Equal(0, model.Calls);
    }

    [Fact]
    public async Task A_resumed_run_cancelled_by_shutdown_keeps_its_checkpoint_and_its_attempt_is_not_counted()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        var model = new DeterministicModel(steps: 3, blockAtStep: 2);
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        var executor = Executor(model, TestRuns.Tools(), checkpointer);
        var recovery = new InterruptedRunRecovery(new CheckpointRecovery(store, executor, checkpointer: checkpointer), checkpointer: checkpointer);

        await recovery.StartAsync(CancellationToken.None);
        await model.Blocked.Task;
        Assert.Equal(1, (await store.ListInterruptedAsync(10)).Items.Single().ResumeAttempts);
        await recovery.StopAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.Cancelled, (await recovery.LastReport!.Resumed["r1"]).Outcome);
        CheckpointSummary kept = Assert.Single((await store.ListInterruptedAsync(10)).Items);
        Assert.Equal(0, kept.ResumeAttempts);
        Assert.Equal(2, kept.Iteration);
        Assert.Equal(5, kept.MessageCount);
    }

    [Fact]
    public async Task Old_checkpoints_are_pruned_at_start_up()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("old"), 0);
        var recovery = new InterruptedRunRecovery(
            Recovery(store, new DeterministicModel(steps: 1), new RecordingAudit()),
            new InterruptedRunRecoveryOptions { MaxAge = TimeSpan.FromDays(7), Policy = RecoveryPolicy.Notify },
            timeProvider: time);

        await recovery.StartAsync(CancellationToken.None);

        Assert.Equal(1, recovery.LastReport!.Pruned);
        Assert.Empty(recovery.LastReport.Notified);
    }

    [Fact]
    public async Task DI_wires_the_checkpointer_recovery_and_hosted_service_from_configuration()
    {
        var model = new DeterministicModel(steps: 1);
        var services = new ServiceCollection();
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([
                new("Executus:Checkpoint:MinInterval", "5s"),
                new("Executus:Checkpoint:Recovery:Policy", "Abandon"),
                new("Executus:Checkpoint:Recovery:MaxResumeAttempts", "4"),
            ]))
            .UseChatClient(model)
            .UseAudit(new RecordingAudit())
            .AddCheckpointing()
            .AddInterruptedRunRecovery();
        await using ServiceProvider provider = services.BuildServiceProvider();

        var checkpointer = Assert.IsType<StoreCheckpointer>(provider.GetRequiredService<ICheckpointer>());
        Assert.Same(checkpointer, provider.GetRequiredService<Executor>().Ports.Checkpointer);
        Assert.IsType<InMemoryCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
        InterruptedRunRecovery hosted = Assert.Single(provider.GetServices<IHostedService>().OfType<InterruptedRunRecovery>());

        ICheckpointStore store = provider.GetRequiredService<ICheckpointStore>();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        await hosted.StartAsync(CancellationToken.None);
        Assert.Equal(["r1"], hosted.LastReport!.Abandoned);

        Assert.Equal(RecoveryPolicy.Abandon, InterruptedRunRecoveryOptions.FromConfig(provider.GetRequiredService<IConfigSource>()).Policy);
        Assert.Equal(4, InterruptedRunRecoveryOptions.FromConfig(provider.GetRequiredService<IConfigSource>()).MaxResumeAttempts);
        Assert.Throws<ConfigException>(() => InterruptedRunRecoveryOptions.FromConfig(new InMemoryConfigSource([new("Executus:Checkpoint:Recovery:Policy", "Retry")])));
        Assert.Throws<ConfigException>(() => InterruptedRunRecoveryOptions.FromConfig(new InMemoryConfigSource([new("Executus:Checkpoint:Recovery:MaxResumeAttempts", "0")])));
        await hosted.StopAsync(CancellationToken.None);
    }

    private static CheckpointRecovery Recovery(ICheckpointStore store, DeterministicModel model, RecordingAudit audit)
    {
        var checkpointer = new StoreCheckpointer(store, EveryTurn);
        return new CheckpointRecovery(store, Executor(model, TestRuns.Tools(), checkpointer, audit), audit: audit, checkpointer: checkpointer);
    }
}
