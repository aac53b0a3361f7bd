using System.Collections.Concurrent;
using Executus.Identity;
using Executus.Runs;

namespace BotHost;

/// <summary>
/// Remembers every run this process saw (chat, resumed, scheduled) through the kernel's observer port: who it is for,
/// its events and how it ended. After a restart the durable audit log answers for older runs.
/// </summary>
internal sealed class RunTracker : IRunObserver
{
    private const int MaxEventsPerRun = 200;
    private readonly ConcurrentDictionary<string, TrackedRun> _runs = new(StringComparer.Ordinal);

    public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        if (runEvent is RunStartedEvent started)
        {
            TrackedRun run = _runs.GetOrAdd(started.RunId, id => new TrackedRun(id, started.AgentName, started.Caller));
            run.Status = "running";
        }

        if (RunEventView.From(runEvent) is { Type: not "text_delta" } view && _runs.TryGetValue(runEvent.RunId, out TrackedRun? tracked))
        {
            lock (tracked.Events)
            {
                if (tracked.Events.Count < MaxEventsPerRun)
                {
                    tracked.Events.Add(view);
                }
            }

            if (runEvent is RunFinishedEvent finished)
            {
                tracked.Status = finished.Result.Outcome.ToString();
                tracked.Text = finished.Result.Text;
            }
        }

        return ValueTask.CompletedTask;
    }

    public TrackedRun? Get(string runId, CallerIdentity caller) =>
        _runs.TryGetValue(runId, out TrackedRun? run) && run.Caller.Id == caller.Id ? run : null;

    public IReadOnlyList<TrackedRun> List(CallerIdentity caller) => [.. _runs.Values.Where(r => r.Caller.Id == caller.Id).OrderBy(r => r.StartedAt)];

    internal sealed class TrackedRun(string runId, string agent, CallerIdentity caller)
    {
        public string RunId { get; } = runId;
        public string Agent { get; } = agent;
        public CallerIdentity Caller { get; } = caller;
        public DateTimeOffset StartedAt { get; } = TimeProvider.System.GetUtcNow();
        public string Status { get; set; } = "running";
        public string? Text { get; set; }
        public List<RunEventView> Events { get; } = [];

        public object ToView()
        {
            lock (Events)
            {
                return new { runId = RunId, agent = Agent, caller = Caller.Id, status = Status, text = Text, startedAt = StartedAt, events = Events.ToArray() };
            }
        }
    }
}
