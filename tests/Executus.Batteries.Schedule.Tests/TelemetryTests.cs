namespace Executus.Schedules.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public void The_runner_meter_is_listed_in_ExecutusTelemetry()
    {
        Assert.Equal("Executus.Schedule", ScheduleRunner.MeterName);
        Assert.Contains(ScheduleRunner.MeterName, ExecutusTelemetry.MeterNames);
        Assert.Equal(ExecutusTelemetry.MeterNames.Count, ExecutusTelemetry.MeterNames.Distinct(StringComparer.Ordinal).Count());
    }
}
