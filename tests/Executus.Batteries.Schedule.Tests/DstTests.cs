namespace Executus.Schedules.Tests;

/// <summary>Next occurrences across DST transitions in two zones with different rules (Cronos semantics, documented in the README).</summary>
public sealed class DstTests
{
    private static Schedule At(string cron, string zone) => new("dst", cron, ScheduleTarget.ForAgent("reporter", "x")) { TimeZone = zone };

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Berlin_fixed_time_in_the_skipped_hour_fires_once_when_the_clock_jumps()
    {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist that day.
        Schedule s = At("30 2 * * *", "Europe/Berlin");

        Assert.Equal(Utc(3, 28, 1, 30), s.GetNextOccurrence(Utc(3, 28, 0, 0)));
        Assert.Equal(Utc(3, 29, 1, 0), s.GetNextOccurrence(Utc(3, 28, 1, 30)));
        Assert.Equal(Utc(3, 30, 0, 30), s.GetNextOccurrence(Utc(3, 29, 1, 0)));
    }

    [Fact]
    public void Berlin_fixed_time_in_the_repeated_hour_fires_once_at_its_first_occurrence()
    {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30 UTC and again at 01:30 UTC.
        Schedule s = At("30 2 * * *", "Europe/Berlin");

        Assert.Equal(Utc(10, 25, 0, 30), s.GetNextOccurrence(Utc(10, 24, 12, 0)));
        Assert.Equal(Utc(10, 26, 1, 30), s.GetNextOccurrence(Utc(10, 25, 0, 30)));
    }

    [Fact]
    public void Berlin_interval_expression_keeps_its_rhythm_through_both_transitions()
    {
        Schedule s = At("*/30 * * * *", "Europe/Berlin");

        // Spring: local 01:30 CET, then 03:00 CEST — 02:00 and 02:30 never exist, nothing is doubled.
        Assert.Equal([Utc(3, 29, 0, 30), Utc(3, 29, 1, 0), Utc(3, 29, 1, 30)], s.GetOccurrences(Utc(3, 29, 0, 0), Utc(3, 29, 1, 30), 100));

        // Autumn: both copies of 02:00–02:59 fire (00:00, 00:30 UTC in CEST; 01:00, 01:30 UTC in CET).
        Assert.Equal([Utc(10, 25, 0, 0), Utc(10, 25, 0, 30), Utc(10, 25, 1, 0), Utc(10, 25, 1, 30)], s.GetOccurrences(Utc(10, 24, 23, 59), Utc(10, 25, 1, 30), 100));
    }

    [Fact]
    public void New_York_fixed_time_in_the_skipped_hour_fires_when_the_clock_jumps()
    {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        Schedule s = At("30 2 * * *", "America/New_York");

        Assert.Equal(Utc(3, 7, 7, 30), s.GetNextOccurrence(Utc(3, 7, 0, 0)));
        Assert.Equal(Utc(3, 8, 7, 0), s.GetNextOccurrence(Utc(3, 7, 7, 30)));
        Assert.Equal(Utc(3, 9, 6, 30), s.GetNextOccurrence(Utc(3, 8, 7, 0)));
    }

    [Fact]
    public void New_York_fixed_time_in_the_repeated_hour_fires_once()
    {
        // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens at 05:30 UTC and 06:30 UTC.
        Schedule s = At("30 1 * * *", "America/New_York");

        Assert.Equal(Utc(11, 1, 5, 30), s.GetNextOccurrence(Utc(10, 31, 12, 0)));
        Assert.Equal(Utc(11, 2, 6, 30), s.GetNextOccurrence(Utc(11, 1, 5, 30)));
    }

    [Fact]
    public void New_York_hourly_expression_fires_in_both_copies_of_the_repeated_hour()
    {
        Schedule s = At("0 * * * *", "America/New_York");

        Assert.Equal([Utc(11, 1, 4, 0), Utc(11, 1, 5, 0), Utc(11, 1, 6, 0), Utc(11, 1, 7, 0)], s.GetOccurrences(Utc(11, 1, 3, 30), Utc(11, 1, 7, 0), 100));
        Assert.Equal([Utc(3, 8, 6, 0), Utc(3, 8, 7, 0), Utc(3, 8, 8, 0)], s.GetOccurrences(Utc(3, 8, 5, 30), Utc(3, 8, 8, 0), 100));
    }

    [Fact]
    public void Six_field_expressions_have_seconds()
    {
        Schedule s = At("15 */10 * * * *", "UTC");

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 10, 15, TimeSpan.Zero), s.GetNextOccurrence(new DateTimeOffset(2026, 1, 1, 0, 0, 15, TimeSpan.Zero)));
    }

    [Fact]
    public void Jitter_is_the_same_for_an_occurrence_and_stays_below_the_bound()
    {
        Schedule s = At("0 * * * *", "UTC") with { Jitter = TimeSpan.FromMinutes(5) };

        TimeSpan first = s.GetJitter(Utc(1, 1, 0, 0));
        Assert.Equal(first, s.GetJitter(Utc(1, 1, 0, 0)));
        Assert.All(Enumerable.Range(0, 50), h => Assert.InRange(s.GetJitter(Utc(1, 1, 0, 0).AddHours(h)), TimeSpan.Zero, TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1)));
        Assert.True(Enumerable.Range(0, 50).Select(h => s.GetJitter(Utc(1, 1, 0, 0).AddHours(h))).Distinct().Count() > 10);
        Assert.Equal(TimeSpan.Zero, (s with { Jitter = TimeSpan.Zero }).GetJitter(Utc(1, 1, 0, 0)));
    }
}
