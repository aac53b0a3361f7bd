namespace Executus.Schedules.Tests;

public sealed class ValidationTests : ScheduleTestBase
{
    [Theory]
    [InlineData("61 * * * *", "Cron")]
    [InlineData("* * * *", "Cron")]
    [InlineData("0 0 0 * * * *", "Cron")]
    [InlineData("", "Cron")]
    [InlineData("0 0 30 2 *", "Cron")]
    public async Task Invalid_cron_is_refused_at_save_naming_schedule_and_field(string cron, string field)
    {
        await using ScheduleRunner runner = NewRunner();

        ScheduleValidationException ex = await Assert.ThrowsAsync<ScheduleValidationException>(async () => await runner.SaveAsync(new Schedule("nightly", cron, ScheduleTarget.ForAgent("reporter", "x"))));

        Assert.Equal("nightly", ex.ScheduleId);
        Assert.Equal(field, ex.Field);
        Assert.StartsWith("Schedule 'nightly': Cron is not valid:", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListAsync());
    }

    [Theory]
    [InlineData("Europe/Atlantis")]
    [InlineData(" ")]
    public async Task Unknown_time_zone_is_refused_at_save(string zone)
    {
        await using ScheduleRunner runner = NewRunner();

        ScheduleValidationException ex = await Assert.ThrowsAsync<ScheduleValidationException>(async () => await runner.SaveAsync(Hourly("nightly") with { TimeZone = zone }));

        Assert.Equal(("nightly", "TimeZone"), (ex.ScheduleId, ex.Field));
    }

    [Fact]
    public void Other_fields_are_named()
    {
        Assert.Equal("Id", Assert.Throws<ScheduleValidationException>(() => Hourly(" ").Validate()).Field);
        Assert.Equal("Target.Name", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { Target = ScheduleTarget.ForAgent(" ", "x") }).Validate()).Field);
        Assert.Equal("Target.Agent", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { Target = new ScheduleTarget(ScheduleTargetKind.Skill, "digest", "x") }).Validate()).Field);
        Assert.Equal("MaxCatchUp", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { MaxCatchUp = 0 }).Validate()).Field);
        Assert.Equal("Jitter", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { Jitter = TimeSpan.FromDays(1) }).Validate()).Field);
        Assert.Equal("Lane", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { Lane = "" }).Validate()).Field);
        Assert.Equal("Misfire", Assert.Throws<ScheduleValidationException>(() => (Hourly() with { Misfire = (MisfirePolicy)9 }).Validate()).Field);
    }

    [Theory]
    [InlineData("@daily")]
    [InlineData("0 9 * * MON-FRI")]
    [InlineData("*/5 * * * * *")]
    public void Valid_expressions_pass(string cron) => new Schedule("ok", cron, ScheduleTarget.ForAgent("reporter", "x")) { TimeZone = "Australia/Sydney" }.Validate();
}
