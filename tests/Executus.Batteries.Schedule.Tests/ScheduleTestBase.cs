using Executus.Configuration;
using Executus.Lanes;
using Executus.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Schedules.Tests;

public abstract class ScheduleTestBase
{
    /// <summary>Sunday 2026-11-01 12:00 UTC.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    internal FakeTimeProvider Time { get; } = new(T0);

    internal GateModel Model { get; } = new();

    internal InMemoryScheduleStore Store { get; } = new();

    internal RunPorts Ports { get; set; } = RunPorts.None;

    internal ScheduleRunner NewRunner(string hostId = "host-a", IScheduleStore? store = null, Action<ScheduleRunnerOptions>? configure = null, Models.ModelTierResolver? tiers = null)
    {
        var executor = new Executor(new FixedModelResolver(Model, timeProvider: Time), ports: Ports, timeProvider: Time);
        var options = new ScheduleRunnerOptions { HostId = hostId };
        configure?.Invoke(options);
        var lanes = new LaneRegistry(new InMemoryConfigSource(), Time);
        var catalog = new InMemoryAgentCatalog([new RunnableAgent("reporter"), new RunnableAgent("assistant"), new RunnableAgent("tiered") { Tier = "smart" }]);
        return new ScheduleRunner(store ?? Store, executor, lanes, catalog, options, Time, tiers: tiers);
    }

    internal static Schedule Hourly(string id = "hourly", MisfirePolicy misfire = MisfirePolicy.SkipToNext) =>
        new(id, "0 * * * *", ScheduleTarget.ForAgent("reporter", "report")) { Misfire = misfire };

    internal static async Task ProcessAndDrainAsync(ScheduleRunner runner)
    {
        await runner.ProcessDueAsync(CancellationToken.None);
        await runner.WhenFiringsDoneAsync();
    }
}
