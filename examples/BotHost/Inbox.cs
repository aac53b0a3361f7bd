using System.Collections.Concurrent;
using Executus.Deliver;
using Microsoft.Extensions.Logging;

namespace BotHost;

/// <summary>Runs whose output goes to a channel live (chat turns being streamed), so the delivery does not repeat them.</summary>
internal sealed class LiveRuns
{
    private readonly ConcurrentDictionary<string, bool> _ids = new(StringComparer.Ordinal);

    public void Add(string runId) => _ids[runId] = true;

    public void Remove(string runId) => _ids.TryRemove(runId, out _);

    public bool Contains(string? runId) => runId is not null && _ids.ContainsKey(runId);
}

/// <summary>
/// The bot's <see cref="IDelivery"/>: output of runs nobody is watching live (resumed after a restart, fired by a
/// schedule) and every critic escalation go to the caller's inbox (<c>GET /api/inbox</c>) and to the log.
/// </summary>
internal sealed partial class Inbox : IDelivery
{
    private const int MaxPerCaller = 100;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<InboxItem>> _items = new(StringComparer.Ordinal);
    private readonly LiveRuns _live;
    private readonly TimeProvider _time;
    private readonly ILogger<Inbox> _logger;

    public Inbox(LiveRuns live, TimeProvider time, ILogger<Inbox> logger)
    {
        _live = live;
        _time = time;
        _logger = logger;
    }

    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        // Why: a live run's own output is already on its stream; a critic's escalation is for the people behind it,
        // so it is kept (and logged) even while the run streams.
        if (_live.Contains(delivery.RunId) && !delivery.Metadata.ContainsKey(Executus.Critics.DeliveryEscalator.EventKey))
        {
            return ValueTask.CompletedTask;
        }

        string caller = delivery.Caller?.Id ?? "anonymous";
        delivery.Metadata.TryGetValue("outcome", out string? outcome);
        delivery.Metadata.TryGetValue(Executus.Schedules.ScheduleRunner.ScheduleIdMetadataKey, out string? schedule);
        var item = new InboxItem(delivery.RunId, outcome, schedule, delivery.Text.ReplaceLineEndings(" "), _time.GetUtcNow());
        ConcurrentQueue<InboxItem> queue = _items.GetOrAdd(caller, _ => new ConcurrentQueue<InboxItem>());
        queue.Enqueue(item);
        while (queue.Count > MaxPerCaller && queue.TryDequeue(out _))
        {
        }

        LogDelivered(_logger, caller, delivery.RunId, outcome, item.Text);

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<InboxItem> List(string callerId) => _items.TryGetValue(callerId, out ConcurrentQueue<InboxItem>? queue) ? [.. queue] : [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered to {Caller} (run {RunId}, {Outcome}): {Text}")]
    private static partial void LogDelivered(ILogger logger, string caller, string? runId, string? outcome, string text);

    internal sealed record InboxItem(string? RunId, string? Outcome, string? Schedule, string Text, DateTimeOffset At);
}
