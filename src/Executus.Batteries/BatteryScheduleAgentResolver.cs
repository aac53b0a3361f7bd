using Executus.Identity;
using Executus.Runs;
using Executus.Schedules;

namespace Executus.Batteries;

/// <summary>A schedule's agent made like a chat run's: <see cref="BatteryAgentFactory"/> for the schedule's caller.</summary>
internal sealed class BatteryScheduleAgentResolver : IScheduleAgentResolver
{
    private readonly BatteryAgentFactory _factory;

    public BatteryScheduleAgentResolver(BatteryAgentFactory factory) => _factory = factory;

    public ValueTask<RunnableAgent?> ResolveAsync(string agentName, CallerIdentity caller, CancellationToken cancellationToken = default) =>
        _factory.CreateAsync(agentName, caller, cancellationToken: cancellationToken);
}
