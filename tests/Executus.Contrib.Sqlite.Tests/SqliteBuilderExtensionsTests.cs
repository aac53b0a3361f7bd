using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Personas;
using Executus.Schedules;
using Executus.Skills;
using Executus.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Contrib.Sqlite.Tests;

public sealed class SqliteBuilderExtensionsTests
{
    [Fact]
    public void The_audit_stores_retention_is_read_as_the_audit_battery_reads_it_and_a_bad_age_quotes_what_was_written()
    {
        // Why: the registration used to parse the age itself and quote it reformatted ("-1.00:00:00"), not as written.
        using var db = new TestDatabase();
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(new InMemoryConfigSource([new("Executus:Audit:Retention:MaxAge", "-1d")])).AddAudit().UseSqlite(db.ConnectionString);
        using ServiceProvider provider = services.BuildServiceProvider();
        ConfigException ex = Assert.Throws<ConfigException>(() => provider.GetRequiredService<IAuditStore>());
        Assert.Equal(("Executus:Audit:Retention:MaxAge", "-1d"), (ex.Key, ex.Value));
    }

    [Fact]
    public void UseSqlite_swaps_every_registered_store_whether_called_before_or_after_the_batteries()
    {
        using var db = new TestDatabase();
        foreach (bool sqliteFirst in new[] { false, true })
        {
            var services = new ServiceCollection();
            IExecutusBuilder builder = services.AddExecutus();
            if (sqliteFirst)
            {
                builder.UseSqlite(db.ConnectionString);
            }

            builder.AddBudget().AddAudit().AddCheckpointing().AddGenericTools().AddSchedules();
            builder.AddPersonas();
            builder.AddSkills();
            if (!sqliteFirst)
            {
                builder.UseSqlite(db.ConnectionString);
            }

            using ServiceProvider provider = services.BuildServiceProvider();
            Assert.IsType<SqliteBudgetStore>(provider.GetRequiredService<IBudgetStore>());
            Assert.IsType<SqliteAuditStore>(provider.GetRequiredService<IAuditStore>());
            Assert.IsType<SqliteCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
            Assert.IsType<SqlitePersonaStore>(provider.GetRequiredService<IPersonaStore>());
            Assert.IsType<SqlitePersonalizationStore>(provider.GetRequiredService<IPersonalizationStore>());
            Assert.IsType<SqliteSkillStore>(provider.GetRequiredService<ISkillStore>());
            Assert.IsType<SqliteKeyValueStore>(provider.GetRequiredService<IKeyValueStore>());
            Assert.IsType<SqliteScheduleStore>(provider.GetRequiredService<IScheduleStore>());
            Assert.Single(provider.GetServices<IBudgetStore>());
        }
    }

    [Fact]
    public async Task Seeded_personas_and_skills_are_copied_once_and_survive_a_restart()
    {
        using var db = new TestDatabase();
        for (int start = 0; start < 2; start++)
        {
            var services = new ServiceCollection();
            IExecutusBuilder builder = services.AddExecutus();
            builder.AddPersonas().Add(new Persona("helper") { Instructions = "Be brief." });
            builder.AddSkills().Add(new Skill("summarize", "Summarizes text.") { Body = "Summarize." }).Add(new Skill("translate", "Translates.") { Body = "T." }, tenant: "acme");
            builder.UseSqlite(db.ConnectionString);
            using ServiceProvider provider = services.BuildServiceProvider();

            Persona? persona = await provider.GetRequiredService<IPersonaStore>().GetAsync("helper");
            Assert.Equal("Be brief.", persona?.Instructions);
            Assert.Equal("1", persona?.Version);
            ISkillStore skills = provider.GetRequiredService<ISkillStore>();
            SkillInfo? info = await skills.GetInfoAsync(null, "summarize");
            Assert.Equal(SkillState.Active, info?.State);
            Assert.Equal(1, info?.LatestVersion);
            Assert.Equal(1, (await skills.GetInfoAsync("acme", "translate"))?.ActiveVersion);
        }
    }

    [Fact]
    public async Task A_restart_with_the_same_folder_skills_keeps_what_the_operator_chose_and_new_content_becomes_active()
    {
        using var db = new TestDatabase();
        await Executus.Contrib.Tests.SkillSeedingRestartScenario.RunAsync(builder => builder.UseSqlite(db.ConnectionString));
    }

    [Fact]
    public async Task Schedules_in_a_replaced_in_memory_store_are_copied_and_the_file_keeps_its_fire_state()
    {
        using var db = new TestDatabase();
        var fired = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        for (int start = 0; start < 3; start++)
        {
            // The host seeds its schedules into an in-memory store instance at every start; the third start changes one.
            var seeded = new InMemoryScheduleStore();
            await seeded.SaveAsync(new Schedule("digest", start < 2 ? "0 9 * * 1" : "0 10 * * 1", ScheduleTarget.ForAgent("reporter", "weekly")));
            await seeded.SaveAsync(new Schedule("nightly", "0 2 * * *", ScheduleTarget.ForAgent("cleaner", "sweep")) { TimeZone = "Europe/Paris" });
            var services = new ServiceCollection();
            services.AddSingleton<IScheduleStore>(seeded);
            services.AddExecutus().AddSchedules().UseSqlite(db.ConnectionString);
            using ServiceProvider provider = services.BuildServiceProvider();
            IScheduleStore store = provider.GetRequiredService<IScheduleStore>();
            Assert.IsType<SqliteScheduleStore>(store);

            IReadOnlyList<Schedule> all = await store.ListAsync();
            Assert.Equal(["digest", "nightly"], all.Select(s => s.Id).Order(StringComparer.Ordinal));
            Schedule digest = (await store.GetAsync("digest"))!;
            Schedule nightly = (await store.GetAsync("nightly"))!;
            Assert.Equal(start < 2 ? "0 9 * * 1" : "0 10 * * 1", digest.Cron);
            Assert.Equal("Europe/Paris", nightly.TimeZone);
            if (start == 0)
            {
                Assert.Null(digest.LastFireAt);
                Assert.True(await store.AdvanceAsync("digest", null, fired.AddDays(7), fired));
                Assert.True(await store.AdvanceAsync("nightly", null, fired.AddDays(1), fired));
            }
            else
            {
                // An unchanged schedule keeps the file's state; a changed one takes the new definition and keeps its last fire.
                Assert.Equal(fired, digest.LastFireAt);
                Assert.Equal(fired, nightly.LastFireAt);
                Assert.Equal(fired.AddDays(1), nightly.NextFireAt);
                Assert.Equal(start < 2 ? fired.AddDays(7) : null, digest.NextFireAt);
            }
        }
    }

    [Fact]
    public async Task UseSqliteSettings_puts_the_settings_table_in_front_and_reads_it_at_every_call()
    {
        using var db = new TestDatabase();
        var fallback = new InMemoryConfigSource();
        fallback.Set("Executus:Budget:Window", "7d");
        fallback.Set("only:in:fallback", "yes");
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(fallback).UseSqlite(db.ConnectionString).UseSqliteSettings();
        using ServiceProvider provider = services.BuildServiceProvider();
        IConfigSource config = provider.GetRequiredService<IConfigSource>();
        SqliteConfigSource settings = provider.GetRequiredService<SqliteConfigSource>();

        Assert.Equal("7d", config.GetString("Executus:Budget:Window"));
        await settings.SetAsync("Executus:Budget:Window", "1d");
        Assert.Equal("1d", config.GetString("Executus:Budget:Window"));
        Assert.Equal("yes", config.GetString("only:in:fallback"));
        Assert.Equal([new KeyValuePair<string, string>("Executus:Budget:Window", "1d")], await settings.ListAsync());
    }

    [Fact]
    public void UseSqliteSettings_without_UseSqlite_is_refused()
    {
        var services = new ServiceCollection();
        Assert.Throws<InvalidOperationException>(() => services.AddExecutus().UseSqliteSettings());
    }
}
