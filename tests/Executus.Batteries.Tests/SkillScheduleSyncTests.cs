using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Executus.Schedules;
using Executus.Skills;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Executus.Batteries.Tests;

public sealed class SkillScheduleSyncTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "executus-skill-schedules-" + Guid.NewGuid().ToString("N"));

    public SkillScheduleSyncTests()
    {
        BatteryFolders.WriteHelperPersona(_dir, "load_skill, read_skill_resource");
        WriteSkill("report", """
            metadata:
              executus.schedule: "30 2 * * *"
              executus.schedule.timezone: Europe/Berlin
              executus.schedule.input: Yesterday's numbers, please.
              executus.schedule.agent: helper
            """);
        WriteSkill("greeting", string.Empty);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSkill(string name, string frontMatter)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "skills", name));
        File.WriteAllText(Path.Combine(_dir, "skills", name, "SKILL.md"), $"---\nname: {name}\ndescription: The {name} skill.\n{frontMatter}\n---\nDo the {name}.\n");
    }

    private ServiceProvider Build(ScriptedChatClient model, params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        AddBatteries(services, model, settings);
        return services.BuildServiceProvider();
    }

    private void AddBatteries(IServiceCollection services, ScriptedChatClient model, params (string Key, string Value)[] settings)
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");
        config.Set("Executus:Schedule:Skills:Roles", "member");
        foreach ((string key, string value) in settings)
        {
            config.Set(key, value);
        }

        services.AddExecutus()
            .UseConfigSource(config)
            .UseChatClient(model)
            .AddBatteries()
            .AddPersonasFrom(Path.Combine(_dir, "personas"))
            .AddSkillsFrom(Path.Combine(_dir, "skills"));
    }

    [Fact]
    public async Task A_host_schedules_an_active_skill_from_its_metadata_and_the_schedule_runs_the_skill_through_its_agent()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall("load_skill", new { name = "report" }).ReplyText("Numbers sent.");
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        AddBatteries(builder.Services, model);
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            ScheduleRunner runner = host.Services.GetRequiredService<ScheduleRunner>();
            IReadOnlyList<Schedule> schedules = await runner.Store.ListAsync();
            Schedule report = Assert.Single(schedules); // the greeting skill has no schedule
            Assert.Equal("skill:report", report.Id);
            Assert.Equal("30 2 * * *", report.Cron);
            Assert.Equal("Europe/Berlin", report.TimeZone);
            Assert.Equal(ScheduleTargetKind.Skill, report.Target.Kind);
            Assert.Equal("report", report.Target.Name);
            Assert.Equal("helper", report.Target.Agent);
            Assert.Equal("Yesterday's numbers, please.", report.Target.Input);
            Assert.Equal("skill-scheduler", report.Target.Caller.Id);
            Assert.NotNull(report.NextFireAt);

            RunResult result = await runner.RunNowAsync("skill:report");
            Assert.Equal(RunOutcome.Completed, result.Outcome);
            Assert.Equal("Numbers sent.", result.Text);
            Assert.Contains("Use the skill 'report'", model.Requests[0].Messages.Last(m => m.Role == ChatRole.User).Text, StringComparison.Ordinal);
            Assert.Contains(model.Requests[1].Messages, m => m.Contents.OfType<FunctionResultContent>().Any(r => r.Result?.ToString()?.Contains("Do the report.", StringComparison.Ordinal) == true));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_schedules_persona_is_made_for_the_schedules_caller_so_its_access_check_sees_that_caller()
    {
        using var model = new ScriptedChatClient();
        model.ReplyText("Tidied.");
        await using ServiceProvider provider = Build(model, ("Executus:Schedule:Skills:Enabled", "false"));
        ScheduleRunner runner = provider.GetRequiredService<ScheduleRunner>();
        await runner.SaveAsync(new Schedule("member-job", "0 3 * * *", ScheduleTarget.ForAgent("helper", "Tidy up.", new CallerIdentity("ann", roles: ["member"]))));
        await runner.SaveAsync(new Schedule("guest-job", "0 3 * * *", ScheduleTarget.ForAgent("helper", "Tidy up.", new CallerIdentity("guest"))));

        Assert.Equal("Tidied.", (await runner.RunNowAsync("member-job")).Text);
        await Assert.ThrowsAsync<Executus.Personas.PersonaAccessDeniedException>(() => runner.RunNowAsync("guest-job"));
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task A_changed_skill_schedule_is_saved_again_an_unchanged_one_is_not_written_and_a_retired_skill_loses_its_schedule()
    {
        using var model = new ScriptedChatClient();
        await using ServiceProvider provider = Build(model);
        SkillScheduleSync sync = provider.GetRequiredService<SkillScheduleSync>();
        ScheduleRunner runner = provider.GetRequiredService<ScheduleRunner>();
        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        await runner.SaveAsync(new Schedule("nightly", "0 3 * * *", ScheduleTarget.ForAgent("helper", "Tidy up.")));

        SkillScheduleSyncResult first = await sync.SyncAsync();
        Assert.Equal(["skill:report"], first.Saved);
        Assert.Empty(first.Removed);
        Assert.Empty(first.Skipped);

        SkillScheduleSyncResult again = await sync.SyncAsync();
        Assert.Empty(again.Saved);
        Assert.Equal(1, again.Unchanged);

        Skill report = (await library.Store.GetAsync(null, "report"))!.Skill;
        await library.SaveAsync(null, report with { Schedule = report.Schedule! with { Cron = "0 6 * * 1-5" } }, activate: true);
        SkillScheduleSyncResult changed = await sync.SyncAsync();
        Assert.Equal(["skill:report"], changed.Saved);
        Assert.Equal("0 6 * * 1-5", (await runner.Store.GetAsync("skill:report"))!.Cron);

        Skill greeting = (await library.Store.GetAsync(null, "greeting"))!.Skill;
        await library.SaveAsync(null, greeting with { Schedule = new SkillSchedule("*/30 * * * * *") { Agent = "helper" } }, activate: true);
        await library.RetireAsync(null, "report");
        SkillScheduleSyncResult retired = await sync.SyncAsync();
        Assert.Equal(["skill:greeting"], retired.Saved);
        Assert.Equal(["skill:report"], retired.Removed);
        Schedule greetingSchedule = (await runner.Store.GetAsync("skill:greeting"))!;
        Assert.Equal("UTC", greetingSchedule.TimeZone);
        Assert.Equal(string.Empty, greetingSchedule.Target.Input);
        Assert.Null(await runner.Store.GetAsync("skill:report"));
        Assert.NotNull(await runner.Store.GetAsync("nightly")); // not the sync's to touch

        await library.DeleteAsync(null, "greeting");
        Assert.Equal(["skill:greeting"], (await sync.SyncAsync()).Removed);
        Assert.Equal(["nightly"], (await runner.Store.ListAsync()).Select(s => s.Id));
    }

    [Fact]
    public async Task A_skill_schedule_switched_off_by_an_operator_stays_off_through_syncs_and_a_change_of_the_skill()
    {
        using var model = new ScriptedChatClient();
        await using ServiceProvider provider = Build(model);
        SkillScheduleSync sync = provider.GetRequiredService<SkillScheduleSync>();
        ScheduleRunner runner = provider.GetRequiredService<ScheduleRunner>();
        await sync.SyncAsync();
        Schedule report = (await runner.Store.GetAsync("skill:report"))!;
        await runner.SaveAsync(report with { Enabled = false, Overlap = OverlapPolicy.QueueOne });

        SkillScheduleSyncResult again = await sync.SyncAsync();
        Assert.Empty(again.Saved);
        Assert.False((await runner.Store.GetAsync("skill:report"))!.Enabled);

        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        Skill skill = (await library.Store.GetAsync(null, "report"))!.Skill;
        await library.SaveAsync(null, skill with { Schedule = skill.Schedule! with { Cron = "0 7 * * *" } }, activate: true);
        Assert.Equal(["skill:report"], (await sync.SyncAsync()).Saved);
        Schedule changed = (await runner.Store.GetAsync("skill:report"))!;
        Assert.Equal("0 7 * * *", changed.Cron);
        Assert.False(changed.Enabled);
        Assert.Equal(OverlapPolicy.QueueOne, changed.Overlap);
    }

    [Fact]
    public async Task A_scheduled_skill_without_an_agent_is_skipped_with_the_reason_and_the_configured_agent_fills_in()
    {
        WriteSkill("digest", """
            metadata:
              executus.schedule: "0 8 * * *"
            """);
        using var model = new ScriptedChatClient();
        await using (ServiceProvider provider = Build(model))
        {
            SkillScheduleSyncResult result = await provider.GetRequiredService<SkillScheduleSync>().SyncAsync();
            Assert.Equal(["skill:report"], result.Saved);
            string reason = Assert.Single(result.Skipped);
            Assert.StartsWith("digest: no agent runs it", reason, StringComparison.Ordinal);
            Assert.Contains("executus.schedule.agent", reason, StringComparison.Ordinal);
            Assert.Contains("Executus:Schedule:Skills:Agent", reason, StringComparison.Ordinal);
        }

        await using (ServiceProvider provider = Build(model, ("Executus:Schedule:Skills:Agent", "helper")))
        {
            SkillScheduleSyncResult result = await provider.GetRequiredService<SkillScheduleSync>().SyncAsync();
            Assert.Equal(["skill:digest", "skill:report"], result.Saved.Order(StringComparer.Ordinal));
            Assert.Empty(result.Skipped);
            Assert.Equal("helper", (await provider.GetRequiredService<ScheduleRunner>().Store.GetAsync("skill:digest"))!.Target.Agent);
        }
    }

    [Fact]
    public async Task A_tenants_skill_is_scheduled_only_for_a_listed_tenant_and_runs_for_the_caller_in_that_tenant()
    {
        using var model = new ScriptedChatClient();
        await using ServiceProvider provider = Build(model, ("Executus:Schedule:Skills:Tenants", "acme"), ("Executus:Schedule:Skills:Caller", "ops-bot"));
        SkillLibrary library = provider.GetRequiredService<SkillLibrary>();
        var schedule = new SkillSchedule("0 9 * * *", null, "Standup notes.") { Agent = "helper" };
        await library.SaveAsync("acme", new Skill("standup", "Standup notes.") { Body = "Write them.", Schedule = schedule }, activate: true);
        await library.SaveAsync("globex", new Skill("standup", "Standup notes.") { Body = "Write them.", Schedule = schedule }, activate: true);

        SkillScheduleSyncResult result = await provider.GetRequiredService<SkillScheduleSync>().SyncAsync();
        Assert.Equal(["skill:acme/standup", "skill:report"], result.Saved.Order(StringComparer.Ordinal));
        Schedule acme = (await provider.GetRequiredService<ScheduleRunner>().Store.GetAsync("skill:acme/standup"))!;
        Assert.Equal("ops-bot", acme.Target.Caller.Id);
        Assert.Equal("acme", acme.Target.Caller.TenantKey);
        Assert.True(acme.Target.Caller.HasRole("member"));
    }

    [Fact]
    public async Task Switched_off_the_sync_changes_nothing_and_without_the_skill_battery_it_does_not_start()
    {
        using var model = new ScriptedChatClient();
        await using (ServiceProvider provider = Build(model, ("Executus:Schedule:Skills:Enabled", "false")))
        {
            SkillScheduleSyncResult result = await provider.GetRequiredService<SkillScheduleSync>().SyncAsync();
            Assert.Empty(result.Saved);
            Assert.Empty(await provider.GetRequiredService<ScheduleRunner>().Store.ListAsync());
        }

        var config = new InMemoryConfigSource();
        config.Set("Executus:Batteries:Skill:Enabled", "false");
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddExecutus().UseConfigSource(config).UseChatClient(model).AddBatteries().AddSkillsFrom(Path.Combine(_dir, "skills"));
        using IHost host = builder.Build();
        await host.StartAsync();
        Assert.Empty(await host.Services.GetRequiredService<ScheduleRunner>().Store.ListAsync());
        await host.StopAsync();
    }

    [Fact]
    public async Task A_container_disposed_synchronously_after_the_sync_started_stops_it_without_throwing()
    {
        using var model = new ScriptedChatClient();
        ServiceProvider provider = Build(model);
        SkillScheduleSync sync = provider.GetRequiredService<SkillScheduleSync>();
        await sync.StartAsync(CancellationToken.None);
        provider.Dispose();
        await sync.StopAsync(CancellationToken.None); // after disposal: nothing left to stop
    }

    [Fact]
    public async Task A_skill_store_failing_at_start_does_not_stop_the_host_and_a_later_interval_syncs()
    {
        var store = new FlakySkillStore(failures: 1);
        await store.SaveAsync(null, SkillFolderLoader.LoadSkill(Path.Combine(_dir, "skills", "report")));
        await store.SetStateAsync(null, "report", SkillState.Active);
        using var model = new ScriptedChatClient();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<ISkillStore>(store); // before AddBatteries: TryAdd keeps it
        AddBatteries(builder.Services, model, ("Executus:Schedule:Skills:SyncInterval", "1s"));
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            IScheduleStore schedules = host.Services.GetRequiredService<ScheduleRunner>().Store;
            Assert.Equal(1, store.Failed);
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (await schedules.GetAsync("skill:report") is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the periodic sync never saved the skill's schedule");
                await Task.Delay(100);
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Blank_skill_schedule_settings_read_as_their_defaults()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Schedule:Skills:Caller", "  ");
        config.Set("Executus:Schedule:Skills:Agent", " ");
        SkillScheduleOptions options = SkillScheduleOptions.FromConfig(config);
        Assert.Equal("skill-scheduler", options.Caller);
        Assert.Null(options.Agent);
    }

    [Fact]
    public void The_skill_file_names_its_schedules_agent_and_an_agent_without_a_schedule_is_refused()
    {
        Skill skill = SkillFolderLoader.LoadSkill(Path.Combine(_dir, "skills", "report"));
        Assert.Equal(new SkillSchedule("30 2 * * *", "Europe/Berlin", "Yesterday's numbers, please.") { Agent = "helper" }, skill.Schedule);

        WriteSkill("orphan", """
            metadata:
              executus.schedule.agent: helper
            """);
        SkillValidationException error = Assert.Throws<SkillValidationException>(() => SkillFolderLoader.LoadSkill(Path.Combine(_dir, "skills", "orphan")));
        Assert.Equal(SkillRule.Schedule, error.Rule);
        Assert.Contains("executus.schedule.agent", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A skill store whose listing fails the first <c>failures</c> times (a store busy at start).</summary>
    private sealed class FlakySkillStore(int failures) : ISkillStore
    {
        private readonly InMemorySkillStore _inner = new();
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public ValueTask<SkillPage> ListAsync(string? tenant, SkillState? state = null, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _failed) <= failures
                ? throw new InvalidOperationException("The skill store is busy.")
                : _inner.ListAsync(tenant, state, cursor, limit, cancellationToken);

        public ValueTask<SkillVersion?> GetAsync(string? tenant, string name, int? version = null, CancellationToken cancellationToken = default) => _inner.GetAsync(tenant, name, version, cancellationToken);

        public ValueTask<SkillInfo?> GetInfoAsync(string? tenant, string name, CancellationToken cancellationToken = default) => _inner.GetInfoAsync(tenant, name, cancellationToken);

        public ValueTask<IReadOnlyList<SkillVersion>> ListVersionsAsync(string? tenant, string name, CancellationToken cancellationToken = default) => _inner.ListVersionsAsync(tenant, name, cancellationToken);

        public ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default) => _inner.SaveAsync(tenant, skill, cancellationToken);

        public ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default) => _inner.SetActiveVersionAsync(tenant, name, version, cancellationToken);

        public ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default) => _inner.SetStateAsync(tenant, name, state, cancellationToken);

        public ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default) => _inner.DeleteAsync(tenant, name, cancellationToken);
    }
}
