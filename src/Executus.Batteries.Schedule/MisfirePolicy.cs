namespace Executus.Schedules;

/// <summary>What a schedule does with the occurrences it missed while no host was running it (<see cref="Schedule.Misfire"/>).</summary>
public enum MisfirePolicy
{
    /// <summary>Drop every missed occurrence and wait for the next one (the default: an outage never causes a burst).</summary>
    SkipToNext,

    /// <summary>Fire once for all the missed occurrences (at the latest one), then go on with the next.</summary>
    FireOnce,

    /// <summary>Fire every missed occurrence, oldest first, up to <see cref="Schedule.MaxCatchUp"/> (the newest ones are kept).</summary>
    FireAll,
}
