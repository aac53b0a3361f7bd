using System.Collections.Concurrent;
using System.Globalization;
using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotHost;

/// <summary>
/// The example's interval schedules (<c>/schedule add 30s assistant what time is it</c>): each fires its persona for its
/// owner through the <c>schedule</c> lane, never overlapping itself (a firing due while the last one runs is skipped
/// and counted). Kept in memory: they do not survive a restart.
/// </summary>
internal sealed partial class ScheduleService : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ChatService _chat;
    private readonly TimeProvider _time;
    private readonly ILogger<ScheduleService> _logger;
    private readonly TimeSpan _minimum;
    private int _next;

    public ScheduleService(ChatService chat, IConfigSource config, TimeProvider time, ILogger<ScheduleService> logger)
    {
        _chat = chat;
        _time = time;
        _logger = logger;
        _minimum = config.GetDuration(BotOptions.Prefix + "Schedules:MinInterval", TimeSpan.FromSeconds(1));
    }

    public Entry Add(CallerIdentity caller, string every, string persona, string input)
    {
        TimeSpan interval;
        try
        {
            var parse = new InMemoryConfigSource();
            parse.Set("every", every);
            interval = parse.GetDuration("every", TimeSpan.Zero);
        }
        catch (ConfigException ex)
        {
            throw new BotCommandException($"'{every}' is not an interval (e.g. 30s, 5m, 1h)", ex);
        }

        if (interval == Timeout.InfiniteTimeSpan)
        {
            throw new BotCommandException($"'{every}' is not an interval (e.g. 30s, 5m, 1h)");
        }

        if (interval < _minimum)
        {
            throw new BotCommandException(string.Create(CultureInfo.InvariantCulture, $"a schedule fires at most every {_minimum.TotalSeconds}s"));
        }

        if (string.IsNullOrWhiteSpace(input))
        {
            throw new BotCommandException("a schedule needs the text to send");
        }

        string id = "s" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var entry = new Entry(id, caller, every, persona, input);
        entry.Timer = _time.CreateTimer(state => Fire((Entry)state!), entry, interval, interval);
        _entries[id] = entry;
        return entry;
    }

    public bool Remove(CallerIdentity caller, string id)
    {
        if (_entries.TryGetValue(id, out Entry? entry) && entry.Owner.Id == caller.Id && _entries.TryRemove(id, out _))
        {
            entry.Timer?.Dispose();
            return true;
        }

        return false;
    }

    public IReadOnlyList<Entry> List(CallerIdentity caller) => [.. _entries.Values.Where(e => e.Owner.Id == caller.Id).OrderBy(e => e.Id, StringComparer.Ordinal)];

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (Entry entry in _entries.Values)
        {
            entry.Timer?.Dispose();
        }

        return Task.CompletedTask;
    }

    public void Dispose() => StopAsync(CancellationToken.None);

    private void Fire(Entry entry)
    {
        if (Interlocked.CompareExchange(ref entry.RunningFlag, 1, 0) != 0)
        {
            Interlocked.Increment(ref entry.SkippedCount);
            return;
        }

        Interlocked.Increment(ref entry.FiredCount);
        LogFiring(_logger, entry.Id, entry.Owner.Id, entry.Persona);
        _ = RunAsync(entry);
    }

    private async Task RunAsync(Entry entry)
    {
        try
        {
            RunResult result = await _chat.RunScheduledAsync(entry.Owner, entry.Persona, entry.Input, entry.Id);
            LogFired(_logger, entry.Id, result.RunId, result.Outcome);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, ex, entry.Id);
        }
        finally
        {
            Volatile.Write(ref entry.RunningFlag, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Id} of {Caller} fires {Persona}.")]
    private static partial void LogFiring(ILogger logger, string id, string caller, string persona);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Id} ran {RunId}: {Outcome}.")]
    private static partial void LogFired(ILogger logger, string id, string runId, RunOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Id} failed to run.")]
    private static partial void LogFailed(ILogger logger, Exception exception, string id);

    internal sealed class Entry(string id, CallerIdentity owner, string every, string persona, string input)
    {
        internal int RunningFlag;
        internal int FiredCount;
        internal int SkippedCount;

        public string Id { get; } = id;

        [System.Text.Json.Serialization.JsonIgnore]
        public CallerIdentity Owner { get; } = owner;

        public string Every { get; } = every;

        public string Persona { get; } = persona;

        public string Input { get; } = input;

        public int Fired => Volatile.Read(ref FiredCount);

        public int Skipped => Volatile.Read(ref SkippedCount);

        [System.Text.Json.Serialization.JsonIgnore]
        internal ITimer? Timer { get; set; }
    }
}
