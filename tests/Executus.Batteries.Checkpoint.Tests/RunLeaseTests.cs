using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Executus.Auditing;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Executus.Batteries.Checkpoint.Tests.TestRuns;

namespace Executus.Batteries.Checkpoint.Tests;

public class RunLeaseTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CheckpointOptions EveryTurn = new() { MinInterval = TimeSpan.Zero };

    [Fact]
    public async Task A_run_claims_its_lease_at_its_first_save_gives_it_back_when_interrupted_and_ends_it_when_completed()
    {
        var store = new InMemoryCheckpointStore();
        await using var a = new LeasedHost(store, "host-a", new DeterministicModel(steps: 3, blockAtStep: 2));
        using var cts = new CancellationTokenSource();

        Task<RunResult> run = a.Executor.RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, cts.Token);
        await a.Model.Blocked.Task;
        RunLease held = (await store.GetLeaseAsync("r1"))!;
        Assert.Equal("host-a", held.Owner);
        Assert.True(a.Keeper.Holds("r1"));

        await cts.CancelAsync();
        Assert.Equal(RunOutcome.Cancelled, (await run).Outcome);
        Assert.Null(await store.GetLeaseAsync("r1"));
        Assert.False(a.Keeper.Holds("r1"));
        Assert.Equal(1, store.Count);

        // Given back at once: another host claims it without waiting for an expiry, and completes it.
        await using var b = new LeasedHost(store, "host-b", new DeterministicModel(steps: 3));
        RecoveryReport report = await b.Service.ScanAsync();
        Assert.Equal(RunOutcome.Completed, (await report.Resumed["r1"]).Outcome);
        Assert.Equal(0, store.Count);
        Assert.Null(await store.GetLeaseAsync("r1"));
        Assert.False(b.Keeper.Holds("r1"));
    }

    [Fact]
    public async Task When_a_host_dies_mid_run_exactly_one_other_host_resumes_its_run_after_the_lease_expires_and_the_dead_host_cannot_write_it_again()
    {
        var store = new InMemoryCheckpointStore();
        await using var a = new LeasedHost(store, "host-a", new DeterministicModel(steps: 3, blockAtStep: 2));
        using var killA = new CancellationTokenSource();
        Task<RunResult> zombie = a.Executor.RunAsync(new RunRequest(Agent(), "go") { RunId = "r1" }, killA.Token);
        await a.Model.Blocked.Task;

        var hosts = new List<LeasedHost>();
        for (int i = 0; i < 4; i++)
        {
            hosts.Add(new LeasedHost(store, $"host-{i}", new DeterministicModel(steps: 3)));
        }

        try
        {
            // host-a stops heartbeating (its clock stands still). While its lease lives nobody takes the run. (Passes are
            // called directly: the services' periodic scans would race the assertions.)
            foreach (LeasedHost host in hosts)
            {
                Assert.Empty((await host.Service.ScanAsync()).Resumed);
                host.Clock.Advance(RunLeaseOptions.DefaultDuration - TimeSpan.FromSeconds(1));
            }

            Assert.All(await Task.WhenAll(hosts.Select(h => h.Service.ScanAsync())), r => Assert.Empty(r.Resumed));

            foreach (LeasedHost host in hosts)
            {
                host.Clock.Advance(TimeSpan.FromSeconds(1));
            }

            RecoveryReport[] reports = await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Service.ScanAsync())));
            RecoveryReport winner = Assert.Single(reports, r => r.Resumed.Count > 0);
            RunResult resumed = await winner.Resumed["r1"];
            Assert.Equal(RunOutcome.Completed, resumed.Outcome);
            Assert.Equal(1, hosts.Sum(h => h.Audit.Events.Count(e => e.Kind == AuditEventKind.RunResumed)));
            Assert.Equal(0, store.Count);

            // The dead host wakes up: its beat finds the lease gone, and its run neither re-creates nor deletes the checkpoint.
            await a.Keeper.HeartbeatAsync();
            Assert.True(a.Keeper.HasLost("r1"));
            await killA.CancelAsync();
            Assert.Equal(RunOutcome.Cancelled, (await zombie).Outcome);
            Assert.Equal(0, store.Count);
        }
        finally
        {
            foreach (LeasedHost host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_host_whose_run_was_taken_over_stops_it_before_its_next_tool_call()
    {
        var store = new InMemoryCheckpointStore();
        var clock = new FakeTimeProvider(T0);
        await using var keeper = new RunLeaseKeeper(store, new RunLeaseOptions { Enabled = true, HostId = "host-a" }, clock);
        var checkpointer = new StoreCheckpointer(store, EveryTurn, clock, leases: keeper);
        int writes = 0;
        var tools = new ToolRegistry();
        tools.Register(Microsoft.Extensions.AI.AIFunctionFactory.Create(
            (int a) =>
            {
                if (a == 1)
                {
                    // host-a stalls past its lease (its clock stands still); host-b takes the run over, and host-a's
                    // next heartbeat finds the lease gone.
                    Assert.NotNull(store.TryClaimAsync("r1", "host-b", T0 + TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)).AsTask().GetAwaiter().GetResult());
                    keeper.HeartbeatAsync().AsTask().GetAwaiter().GetResult();
                }

                return a;
            },
            "look"));
        tools.Register(Microsoft.Extensions.AI.AIFunctionFactory.Create(() => Interlocked.Increment(ref writes), "write"), new ToolMetadata { SideEffect = SideEffect.Write });
        var model = new DeterministicModel((done, _) => done switch
        {
            < 2 => new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent($"c{done}", "look", new Dictionary<string, object?> { ["a"] = done })]),
            2 => new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("c2", "write")]),
            _ => new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "done"),
        });
        var delivery = new RecordingDelivery();
        var executor = new Executor(new FixedModelResolver(model), tools, new RunPorts { Checkpointer = checkpointer, Delivery = delivery }, timeProvider: clock);

        RunResult result = await executor.RunAsync(new RunRequest(Agent("worker", "look", "write"), "go") { RunId = "r1" });

        Assert.Equal(RunOutcome.Stopped, result.Outcome);
        Assert.Contains("taken over by another host", result.StopReason, StringComparison.Ordinal);
        Assert.Equal(0, writes);
        Assert.Equal(2, model.Calls);
        Assert.True(keeper.HasLost("r1") || !keeper.Holds("r1"));
        Assert.False(checkpointer.IsLive("r1"));

        // The run is host-b's now: host-a neither delivered it nor touched its checkpoint or lease.
        Assert.Empty(delivery.Deliveries);
        Assert.Equal(3, (await store.GetAsync("r1"))!.Messages.Count);
        Assert.Equal("host-b", (await store.GetLeaseAsync("r1"))!.Owner);
    }

    [Fact]
    public async Task The_periodic_scan_resumes_runs_whose_lease_expired()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        await store.TryClaimAsync("r1", "dead-host", T0, TimeSpan.FromSeconds(30));
        await using var b = new LeasedHost(store, "host-b", new DeterministicModel(steps: 2));
        var scanned = new TaskCompletionSource<RecoveryReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Service.Scanned += report =>
        {
            if (report.Resumed.Count > 0)
            {
                scanned.TrySetResult(report);
            }
        };

        await b.Service.StartAsync(CancellationToken.None);
        Assert.Empty(b.Service.LastReport!.Resumed);
        b.Clock.Advance(TimeSpan.FromSeconds(30));
        RecoveryReport report = await scanned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunOutcome.Completed, (await report.Resumed["r1"]).Outcome);
        Assert.Same(report, b.Service.LastScanReport);
        await b.Service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Periodic_scans_end_as_soon_as_the_host_begins_to_stop()
    {
        var store = new InMemoryCheckpointStore();
        await using var b = new LeasedHost(store, "host-b", new DeterministicModel(steps: 2));
        await b.Service.StartAsync(CancellationToken.None);
        Assert.False(b.Service.ScanLoop.IsCompleted);

        await b.Service.StoppingAsync(CancellationToken.None);
        await b.Service.ScanLoop.WaitAsync(TimeSpan.FromSeconds(30));

        // A run interrupted elsewhere during the shutdown is left for the hosts that keep running.
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        b.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, b.Model.Calls);
        Assert.Null(await store.GetLeaseAsync("r1"));
        await b.Service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_host_restarted_with_the_same_id_takes_its_own_runs_back_at_once()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        await store.TryClaimAsync("r1", "bot-1", T0, TimeSpan.FromSeconds(30));
        await using var restarted = new LeasedHost(store, "bot-1", new DeterministicModel(steps: 2));

        await restarted.Service.StartAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.Completed, (await restarted.Service.LastReport!.Resumed["r1"]).Outcome);
        await restarted.Service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_run_another_host_holds_is_refused_for_resume_and_abandon_and_never_written_or_deleted_here()
    {
        var store = new InMemoryCheckpointStore();
        RunCheckpoint original = ResumeTests.Seed("r1");
        await store.SaveAsync(original, 0);
        await store.TryClaimAsync("r1", "host-b", T0, TimeSpan.FromMinutes(5));
        await using var a = new LeasedHost(store, "host-a", new DeterministicModel(steps: 2));

        InvalidOperationException resume = await Assert.ThrowsAsync<InvalidOperationException>(() => a.Recovery.ResumeAsync("r1"));
        Assert.Contains("host-b", resume.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await a.Recovery.AbandonAsync("r1", "test"));

        await a.Checkpointer.SaveAsync(original with { Iteration = 9, Boundary = CheckpointBoundary.BeforeSideEffects }, 0);
        await a.Checkpointer.CompleteAsync("r1");
        Assert.Equal(1, (await store.GetAsync("r1"))!.Iteration);
        Assert.Equal(0, a.Model.Calls);
        Assert.Equal("host-b", (await store.GetLeaseAsync("r1"))!.Owner);
    }

    [Fact]
    public async Task Heartbeats_renew_on_the_timer_lost_leases_are_noticed_and_stray_leases_released()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        await store.SaveAsync(ResumeTests.Seed("r2"), 0);
        string hostId = "host-" + Guid.NewGuid().ToString("N");
        using var metrics = new LeaseMetrics(hostId);
        var clock = new FakeTimeProvider(T0);
        await using var keeper = new RunLeaseKeeper(store, new RunLeaseOptions { HostId = hostId }, clock);
        await store.TryClaimAsync("stray", hostId, T0, TimeSpan.FromSeconds(30));

        Assert.NotNull(await keeper.ClaimAsync("r1"));
        Assert.NotNull(await keeper.ClaimAsync("r2"));
        clock.Advance(RunLeaseOptions.DefaultHeartbeatInterval);
        Assert.Equal(T0 + RunLeaseOptions.DefaultHeartbeatInterval + RunLeaseOptions.DefaultDuration, (await store.GetLeaseAsync("r1"))!.ExpiresAt);
        Assert.Null(await store.GetLeaseAsync("stray"));

        // The host stalls past its lease; another host takes r2.
        Assert.NotNull(await store.TryClaimAsync("r2", "other", T0 + TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await keeper.HeartbeatAsync());
        Assert.True(keeper.HasLost("r2"));
        Assert.False(keeper.Holds("r2"));
        Assert.Equal(["r1"], keeper.Held.Select(l => l.RunId));

        Assert.Equal(2, metrics.Sum("executus.checkpoint.leases.claimed"));
        Assert.Equal(3, metrics.Sum("executus.checkpoint.leases.renewed"));
        Assert.Equal(1, metrics.Sum("executus.checkpoint.leases.lost"));
        Assert.Equal(1, metrics.Sum("executus.checkpoint.leases.released"));

        await keeper.DisposeAsync();
        Assert.Null(await store.GetLeaseAsync("r1"));
        Assert.Equal("other", (await store.GetLeaseAsync("r2"))!.Owner);
    }

    [Fact]
    public async Task A_graceful_stop_gives_back_every_lease_so_another_host_resumes_at_once()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("r1"), 0);
        await using var a = new LeasedHost(store, "host-a", new DeterministicModel(steps: 3, blockAtStep: 2));
        await a.Service.StartAsync(CancellationToken.None);
        await a.Model.Blocked.Task;
        await a.Keeper.ClaimAsync("claimed-but-idle");

        await a.Service.StopAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.Cancelled, (await a.Service.LastReport!.Resumed["r1"]).Outcome);
        Assert.Null(await store.GetLeaseAsync("r1"));
        Assert.Null(await store.GetLeaseAsync("claimed-but-idle"));
        await using var b = new LeasedHost(store, "host-b", new DeterministicModel(steps: 3));
        RecoveryReport report = await b.Service.ScanAsync();
        Assert.Equal(RunOutcome.Completed, (await report.Resumed["r1"]).Outcome);
    }

    [Fact]
    public async Task The_resume_cap_holds_across_hosts()
    {
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync(ResumeTests.Seed("bad") with { SchemaVersion = 99 }, 0);
        var options = new InterruptedRunRecoveryOptions { MaxResumeAttempts = 3 };
        var reports = new List<RecoveryReport>();
        for (int i = 0; i < 3; i++)
        {
            await using var host = new LeasedHost(store, $"host-{i}", new DeterministicModel(steps: 1), options);
            reports.Add(await host.Service.ScanAsync());
        }

        Assert.Equal(["bad"], reports[0].Failed);
        Assert.Equal(["bad"], reports[1].Failed);
        Assert.Equal(["bad"], reports[2].Abandoned);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Options_are_read_from_configuration_and_bad_values_name_their_key()
    {
        RunLeaseOptions options = RunLeaseOptions.FromConfig(new InMemoryConfigSource([
            new("Executus:Checkpoint:Lease:Enabled", "true"),
            new("Executus:Checkpoint:Lease:HostId", " bot-7 "),
            new("Executus:Checkpoint:Lease:Duration", "3s"),
            new("Executus:Checkpoint:Lease:HeartbeatInterval", "1s"),
            new("Executus:Checkpoint:Lease:ScanInterval", "500ms"),
        ]));
        Assert.True(options.Enabled);
        Assert.Equal("bot-7", options.HostId);
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500)), (options.Duration, options.HeartbeatInterval, options.ScanInterval));

        RunLeaseOptions defaults = RunLeaseOptions.FromConfig(new InMemoryConfigSource());
        Assert.False(defaults.Enabled);
        Assert.StartsWith($"{Environment.MachineName}-{Environment.ProcessId}-", defaults.HostId, StringComparison.Ordinal);
        Assert.NotEqual(defaults.HostId, new RunLeaseOptions().HostId);

        ConfigException heartbeat = Assert.Throws<ConfigException>(() => RunLeaseOptions.FromConfig(new InMemoryConfigSource([
            new("Executus:Checkpoint:Lease:Duration", "3s"),
            new("Executus:Checkpoint:Lease:HeartbeatInterval", "5s"),
        ])));
        Assert.Equal("Executus:Checkpoint:Lease:HeartbeatInterval", heartbeat.Key);
        Assert.Equal("Executus:Checkpoint:Lease:Duration", Assert.Throws<ConfigException>(() => RunLeaseOptions.FromConfig(new InMemoryConfigSource([new("Executus:Checkpoint:Lease:Duration", "soon")]))).Key);
        Assert.Equal("Executus:Checkpoint:Lease:ScanInterval", Assert.Throws<ConfigException>(() => RunLeaseOptions.FromConfig(new InMemoryConfigSource([new("Executus:Checkpoint:Lease:ScanInterval", "0s")]))).Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunLeaseOptions { Duration = TimeSpan.FromSeconds(1), HeartbeatInterval = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Throws<ArgumentException>(() => new RunLeaseOptions { HostId = " " }.Validate());
    }

    [Fact]
    public async Task DI_turns_leases_on_from_configuration_and_refuses_a_store_without_leases()
    {
        await using ServiceProvider leased = Provider(new InMemoryCheckpointStore(), enabled: true);
        StoreCheckpointer checkpointer = leased.GetRequiredService<StoreCheckpointer>();
        Assert.Equal("bot-9", checkpointer.Leases!.HostId);
        Assert.Equal(TimeSpan.FromSeconds(3), checkpointer.Leases.Options.Duration);

        await using ServiceProvider single = Provider(new InMemoryCheckpointStore(), enabled: false);
        Assert.Null(single.GetRequiredService<StoreCheckpointer>().Leases);

        await using ServiceProvider wrong = Provider(new KillableStore(new InMemoryCheckpointStore()), enabled: true);
        ConfigException error = Assert.Throws<ConfigException>(() => wrong.GetRequiredService<StoreCheckpointer>());
        Assert.Equal("Executus:Checkpoint:Lease:Enabled", error.Key);
        Assert.Contains("KillableStore", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Provider(ICheckpointStore store, bool enabled)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([
                new("Executus:Checkpoint:Lease:Enabled", enabled ? "true" : "false"),
                new("Executus:Checkpoint:Lease:HostId", "bot-9"),
                new("Executus:Checkpoint:Lease:Duration", "3s"),
                new("Executus:Checkpoint:Lease:HeartbeatInterval", "1s"),
            ]))
            .UseChatClient(new DeterministicModel(steps: 1))
            .AddCheckpointing()
            .AddInterruptedRunRecovery();
        return services.BuildServiceProvider();
    }

    /// <summary>One "host" on a shared store: its own clock (its heartbeat runs only when the test advances it), keeper, checkpointer, executor and recovery.</summary>
    private sealed class LeasedHost : IAsyncDisposable
    {
        public LeasedHost(InMemoryCheckpointStore store, string hostId, DeterministicModel model, InterruptedRunRecoveryOptions? options = null)
        {
            Clock = new FakeTimeProvider(T0);
            Model = model;
            Keeper = new RunLeaseKeeper(store, new RunLeaseOptions { Enabled = true, HostId = hostId }, Clock);
            Checkpointer = new StoreCheckpointer(store, EveryTurn, Clock, leases: Keeper);
            Executor = Executor(model, TestRuns.Tools(), Checkpointer, Audit);
            Recovery = new CheckpointRecovery(store, Executor, audit: Audit, checkpointer: Checkpointer, timeProvider: Clock);
            Service = new InterruptedRunRecovery(Recovery, options, checkpointer: Checkpointer, timeProvider: Clock);
        }

        public FakeTimeProvider Clock { get; }

        public DeterministicModel Model { get; }

        public RecordingAudit Audit { get; } = new();

        public RunLeaseKeeper Keeper { get; }

        public StoreCheckpointer Checkpointer { get; }

        public Executor Executor { get; }

        public CheckpointRecovery Recovery { get; }

        public InterruptedRunRecovery Service { get; }

        public async ValueTask DisposeAsync()
        {
            Service.Dispose();
            await Keeper.DisposeAsync();
        }
    }

    /// <summary>Sums the lease counters of one host (meters are static and tests run in parallel, so filter by the host tag).</summary>
    private sealed class LeaseMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

        public LeaseMetrics(string hostId)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ExecutusTelemetry.CheckpointMeterName && instrument.Name.StartsWith("executus.checkpoint.leases.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "executus.host" && (string?)tag.Value == hostId)
                    {
                        _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Sum(string name) => _sums.GetValueOrDefault(name);

        public void Dispose() => _listener.Dispose();
    }
}
