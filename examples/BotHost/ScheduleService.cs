using System.Globalization;
using Executus.Identity;
using Executus.Schedules;

namespace BotHost;

/// <summary>
/// The schedule commands over the Schedule battery's <see cref="ScheduleRunner"/>: <c>/schedule add EVERY PERSONA
/// TEXT</c> saves a schedule owned by the caller (EVERY is an interval — <c>30s</c>, <c>5m</c>, <c>2h</c> — or a cron
/// expression written with underscores for spaces, e.g. <c>cron:0_8_*_*_1-5</c>); it fires the persona for its owner
/// through the <c>schedule</c> lane and its answer reaches the owner's inbox. Callers see and remove only their own.
/// </summary>
internal sealed class ScheduleService
{
    private readonly ScheduleRunner _runner;
    private readonly IScheduleStore _store;

    public ScheduleService(ScheduleRunner runner, IScheduleStore store)
    {
        _runner = runner;
        _store = store;
    }

    public async Task<Schedule> AddAsync(CallerIdentity caller, string every, string persona, string input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            throw new BotCommandException("a schedule needs the text to send");
        }

        string id = $"{caller.Id}-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            return await _runner.SaveAsync(new Schedule(id, ToCron(every), ScheduleTarget.ForAgent(persona, input, caller)), cancellationToken);
        }
        catch (ScheduleValidationException ex)
        {
            throw new BotCommandException(ex.Message, ex);
        }
    }

    public async Task<bool> RemoveAsync(CallerIdentity caller, string id, CancellationToken cancellationToken) =>
        await _store.GetAsync(id, cancellationToken) is { } schedule && schedule.Target.Caller.Id == caller.Id
        && await _runner.DeleteAsync(id, cancellationToken);

    public async Task<IReadOnlyList<object>> ListAsync(CallerIdentity caller, CancellationToken cancellationToken) =>
        [.. (await _store.ListAsync(cancellationToken))
            .Where(s => s.Target.Caller.Id == caller.Id)
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => (object)new { id = s.Id, cron = s.Cron, persona = s.Target.Name, input = s.Target.Input, nextFireAt = s.NextFireAt, lastFireAt = s.LastFireAt, lastOutcome = s.LastOutcome?.ToString(), lastRunId = s.LastRunId })];

    private static string ToCron(string every)
    {
        if (every.StartsWith("cron:", StringComparison.OrdinalIgnoreCase))
        {
            return every["cron:".Length..].Replace('_', ' ');
        }

        if (every.Length >= 2 && int.TryParse(every.AsSpan(0, every.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
        {
            string cron = char.ToLowerInvariant(every[^1]) switch
            {
                's' when 60 % n == 0 => $"*/{n} * * * * *",
                'm' when 60 % n == 0 => $"0 */{n} * * * *",
                'h' when 24 % n == 0 => $"0 0 */{n} * * *",
                _ => string.Empty,
            };
            if (cron.Length > 0)
            {
                return cron;
            }
        }

        throw new BotCommandException($"'{every}' is not an interval that divides a minute, hour or day (e.g. 30s, 5m, 2h) or a cron:EXPRESSION with underscores for spaces");
    }
}
