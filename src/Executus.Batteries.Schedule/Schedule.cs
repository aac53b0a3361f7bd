using System.Globalization;
using Cronos;
using Executus.Runs;

namespace Executus.Schedules;

/// <summary>
/// A cron-driven run: when (<see cref="Cron"/> in <see cref="TimeZone"/>), what (<see cref="Target"/>), how to treat
/// missed and overlapping firings, plus the state the runner persists (<see cref="NextFireAt"/>, <see cref="LastFireAt"/>,
/// <see cref="LastOutcome"/>) so a restart neither loses nor repeats a firing.
/// </summary>
/// <remarks>
/// Occurrences follow Cronos: in a skipped hour (DST spring-forward) a fixed-time occurrence fires once at the moment
/// the clock jumps, in a repeated hour (fall-back) it fires once at its first occurrence; interval expressions
/// (<c>*/15 * * * *</c>, <c>0 * * * *</c>) keep their rhythm in absolute time, so they fire in both copies of a
/// repeated hour and not in a skipped one. <see cref="Validate"/> runs when a store saves the schedule.
/// </remarks>
/// <param name="Id">A unique, stable id (1–200 characters, no control characters).</param>
/// <param name="Cron">A cron expression: 5 fields (minute precision), 6 fields (seconds first) or a Cronos macro (<c>@daily</c>…).</param>
/// <param name="Target">What to run.</param>
public sealed record Schedule(string Id, string Cron, ScheduleTarget Target)
{
    /// <summary>The longest id a schedule may have.</summary>
    public const int MaxIdLength = 200;

    /// <summary>The most catch-up firings <see cref="MaxCatchUp"/> may allow.</summary>
    public const int MaxCatchUpLimit = 1000;

    /// <summary>Gets the IANA (or Windows) time zone id the expression is read in; <c>UTC</c> by default.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Gets a value indicating whether the schedule fires (a disabled one keeps its state and can still be run now).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Gets what to do with occurrences missed while no host ran the schedule.</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.SkipToNext;

    /// <summary>Gets how many missed occurrences <see cref="MisfirePolicy.FireAll"/> fires at most (1–1000; default 10).</summary>
    public int MaxCatchUp { get; init; } = 10;

    /// <summary>Gets what to do when the schedule is due while its previous firing still runs.</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Skip;

    /// <summary>
    /// Gets the most a firing is delayed after its occurrence (0 ≤ jitter &lt; 1 day), to spread schedules that share a
    /// minute. The delay is derived from the id and the occurrence, so every host computes the same one.
    /// </summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Gets the lane the firings run on; null = the runner's lane (<c>Executus:Schedule:Lane</c>).</summary>
    public string? Lane { get; init; }

    /// <summary>Gets the next occurrence to fire (UTC), or null when none is planned (new, disabled or exhausted).</summary>
    public DateTimeOffset? NextFireAt { get; init; }

    /// <summary>Gets the occurrence fired last (UTC), or null when it never fired.</summary>
    public DateTimeOffset? LastFireAt { get; init; }

    /// <summary>Gets how the last firing to finish ended, or null when none finished.</summary>
    public RunOutcome? LastOutcome { get; init; }

    /// <summary>Gets the run id of the last firing to finish.</summary>
    public string? LastRunId { get; init; }

    /// <summary>
    /// Checks every field (id, cron expression, time zone, target, jitter, catch-up cap, lane) and throws on the first
    /// that is not valid. Stores call it when saving, so a bad schedule fails at save time, never at fire time.
    /// </summary>
    /// <exception cref="ScheduleValidationException">A field is not valid; the exception names the schedule and the field.</exception>
    public void Validate()
    {
        string id = Id ?? string.Empty;
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ScheduleValidationException(id, "Id", "it is blank.");
        }

        if (id.Length > MaxIdLength)
        {
            throw new ScheduleValidationException(id, "Id", $"it has {id.Length} characters; at most {MaxIdLength} are allowed.");
        }

        if (id.Any(char.IsControl))
        {
            throw new ScheduleValidationException(id, "Id", "it contains a control character.");
        }

        CronExpression expression = ParseCron();
        TimeZoneInfo zone = FindZone();
        if (expression.GetNextOccurrence(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), zone) is null)
        {
            throw new ScheduleValidationException(id, "Cron", $"'{Cron}' never occurs.");
        }

        if (Target is null)
        {
            throw new ScheduleValidationException(id, "Target", "it is missing.");
        }

        if (string.IsNullOrWhiteSpace(Target.Name))
        {
            throw new ScheduleValidationException(id, "Target.Name", "it is blank.");
        }

        if (Target.Input is null)
        {
            throw new ScheduleValidationException(id, "Target.Input", "it is missing.");
        }

        if (Target.Caller is null)
        {
            throw new ScheduleValidationException(id, "Target.Caller", "it is missing.");
        }

        if (Target.Kind == ScheduleTargetKind.Skill && string.IsNullOrWhiteSpace(Target.Agent))
        {
            throw new ScheduleValidationException(id, "Target.Agent", "a skill target needs the agent that runs the skill.");
        }

        if (!Enum.IsDefined(Target.Kind))
        {
            throw new ScheduleValidationException(id, "Target.Kind", $"{(int)Target.Kind} is not a target kind.");
        }

        if (!Enum.IsDefined(Misfire))
        {
            throw new ScheduleValidationException(id, "Misfire", $"{(int)Misfire} is not a misfire policy.");
        }

        if (!Enum.IsDefined(Overlap))
        {
            throw new ScheduleValidationException(id, "Overlap", $"{(int)Overlap} is not an overlap policy.");
        }

        if (MaxCatchUp is < 1 or > MaxCatchUpLimit)
        {
            throw new ScheduleValidationException(id, "MaxCatchUp", $"{MaxCatchUp} is outside 1–{MaxCatchUpLimit}.");
        }

        if (Jitter < TimeSpan.Zero || Jitter >= TimeSpan.FromDays(1))
        {
            throw new ScheduleValidationException(id, "Jitter", $"{Jitter} is outside 0 to 1 day (exclusive).");
        }

        if (Lane is not null && string.IsNullOrWhiteSpace(Lane))
        {
            throw new ScheduleValidationException(id, "Lane", "it is blank (null means the runner's lane).");
        }
    }

    /// <summary>Gets the first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    /// <param name="after">The instant (exclusive).</param>
    /// <returns>The occurrence in UTC.</returns>
    /// <exception cref="ScheduleValidationException">The expression or the time zone is not valid.</exception>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) =>
        ParseCron().GetNextOccurrence(after.ToUniversalTime(), FindZone())?.ToUniversalTime();

    /// <summary>Gets the occurrences in (<paramref name="after"/>, <paramref name="until"/>], oldest first, at most <paramref name="limit"/> of them (the newest when there are more).</summary>
    /// <param name="after">The start (exclusive).</param>
    /// <param name="until">The end (inclusive).</param>
    /// <param name="limit">How many at most (keeps the newest).</param>
    /// <returns>The occurrences in UTC, oldest first.</returns>
    /// <exception cref="ScheduleValidationException">The expression or the time zone is not valid.</exception>
    public IReadOnlyList<DateTimeOffset> GetOccurrences(DateTimeOffset after, DateTimeOffset until, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        CronExpression expression = ParseCron();
        TimeZoneInfo zone = FindZone();
        var result = new Queue<DateTimeOffset>();
        foreach (DateTimeOffset occurrence in expression.GetOccurrences(after.ToUniversalTime(), until.ToUniversalTime(), zone, fromInclusive: false, toInclusive: true))
        {
            if (result.Count == limit)
            {
                result.Dequeue();
            }

            result.Enqueue(occurrence.ToUniversalTime());
        }

        return [.. result];
    }

    /// <summary>Gets the delay after an occurrence that <see cref="Jitter"/> gives this schedule (the same on every host).</summary>
    /// <param name="occurrence">The occurrence.</param>
    /// <returns>A delay in [0, <see cref="Jitter"/>).</returns>
    public TimeSpan GetJitter(DateTimeOffset occurrence)
    {
        if (Jitter <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // Why: a hash of id + occurrence (not Random) so every host sharing a store computes the same firing time and
        // a restart does not move it.
        ulong hash = 14695981039346656037UL;
        foreach (char c in Id + "|" + occurrence.UtcTicks.ToString(CultureInfo.InvariantCulture))
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return TimeSpan.FromTicks((long)(hash % (ulong)Jitter.Ticks));
    }

    private CronExpression ParseCron()
    {
        string id = Id ?? string.Empty;
        if (string.IsNullOrWhiteSpace(Cron))
        {
            throw new ScheduleValidationException(id, "Cron", "it is blank.");
        }

        int fields = Cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (1 or 5 or 6))
        {
            throw new ScheduleValidationException(id, "Cron", $"'{Cron}' has {fields} fields; 5 (minute first) or 6 (second first) are allowed.");
        }

        try
        {
            return CronExpression.Parse(Cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw new ScheduleValidationException(id, "Cron", $"'{Cron}' does not parse: {ex.Message}", ex);
        }
    }

    private TimeZoneInfo FindZone()
    {
        string id = Id ?? string.Empty;
        if (string.IsNullOrWhiteSpace(TimeZone))
        {
            throw new ScheduleValidationException(id, "TimeZone", "it is blank.");
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (TimeZoneNotFoundException ex)
        {
            throw new ScheduleValidationException(id, "TimeZone", $"'{TimeZone}' is not a known time zone.", ex);
        }
        catch (InvalidTimeZoneException ex)
        {
            throw new ScheduleValidationException(id, "TimeZone", $"'{TimeZone}' could not be read: {ex.Message}", ex);
        }
    }
}
