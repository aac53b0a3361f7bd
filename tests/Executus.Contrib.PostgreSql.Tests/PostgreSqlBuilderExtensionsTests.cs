using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Personas;
using Executus.Schedules;
using Executus.Skills;
using Executus.Tools;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Executus.Contrib.PostgreSql.Tests;

public sealed class PostgreSqlBuilderExtensionsTests
{
    [Fact]
    public void UsePostgreSql_swaps_every_registered_store_whether_called_before_or_after_the_batteries()
    {
        using var db = new TestSchema();
        foreach (bool sqliteFirst in new[] { false, true })
        {
            var services = new ServiceCollection();
            IExecutusBuilder builder = services.AddExecutus();
            if (sqliteFirst)
            {
                builder.UsePostgreSql(db.ConnectionString);
            }

            builder.AddBudget().AddAudit().AddCheckpointing().AddGenericTools().AddSchedules();
            builder.AddPersonas();
            builder.AddSkills();
            if (!sqliteFirst)
            {
                builder.UsePostgreSql(db.ConnectionString);
            }

            using ServiceProvider provider = services.BuildServiceProvider();
            Assert.IsType<PostgreSqlBudgetStore>(provider.GetRequiredService<IBudgetStore>());
            Assert.IsType<PostgreSqlAuditStore>(provider.GetRequiredService<IAuditStore>());
            Assert.IsType<PostgreSqlCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());
            Assert.IsType<PostgreSqlPersonaStore>(provider.GetRequiredService<IPersonaStore>());
            Assert.IsType<PostgreSqlPersonalizationStore>(provider.GetRequiredService<IPersonalizationStore>());
            Assert.IsType<PostgreSqlSkillStore>(provider.GetRequiredService<ISkillStore>());
            Assert.IsType<PostgreSqlKeyValueStore>(provider.GetRequiredService<IKeyValueStore>());
            Assert.IsType<PostgreSqlScheduleStore>(provider.GetRequiredService<IScheduleStore>());
            Assert.Single(provider.GetServices<IBudgetStore>());
        }
    }

    [Fact]
    public async Task Seeded_personas_and_skills_are_copied_once_and_survive_a_restart()
    {
        using var db = new TestSchema();
        for (int start = 0; start < 2; start++)
        {
            var services = new ServiceCollection();
            IExecutusBuilder builder = services.AddExecutus();
            builder.AddPersonas().Add(new Persona("helper") { Instructions = "Be brief." });
            builder.AddSkills().Add(new Skill("summarize", "Summarizes text.") { Body = "Summarize." }).Add(new Skill("translate", "Translates.") { Body = "T." }, tenant: "acme");
            builder.UsePostgreSql(db.ConnectionString);
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
        using var db = new TestSchema();
        await Executus.Contrib.Tests.SkillSeedingRestartScenario.RunAsync(builder => builder.UsePostgreSql(db.ConnectionString));
    }

    [Fact]
    public async Task Schedules_in_a_replaced_in_memory_store_are_copied_and_the_file_keeps_its_fire_state()
    {
        using var db = new TestSchema();
        var fired = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        for (int start = 0; start < 3; start++)
        {
            // The host seeds its schedules into an in-memory store instance at every start; the third start changes one.
            var seeded = new InMemoryScheduleStore();
            await seeded.SaveAsync(new Schedule("digest", start < 2 ? "0 9 * * 1" : "0 10 * * 1", ScheduleTarget.ForAgent("reporter", "weekly")));
            await seeded.SaveAsync(new Schedule("nightly", "0 2 * * *", ScheduleTarget.ForAgent("cleaner", "sweep")) { TimeZone = "Europe/Paris" });
            var services = new ServiceCollection();
            services.AddSingleton<IScheduleStore>(seeded);
            services.AddExecutus().AddSchedules().UsePostgreSql(db.ConnectionString);
            using ServiceProvider provider = services.BuildServiceProvider();
            IScheduleStore store = provider.GetRequiredService<IScheduleStore>();
            Assert.IsType<PostgreSqlScheduleStore>(store);

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
    public async Task UsePostgreSqlSettings_puts_the_settings_table_in_front_and_reads_it_at_every_call()
    {
        using var db = new TestSchema();
        var fallback = new InMemoryConfigSource();
        fallback.Set("Executus:Budget:Window", "7d");
        fallback.Set("only:in:fallback", "yes");
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(fallback).UsePostgreSql(db.ConnectionString).UsePostgreSqlSettings();
        using ServiceProvider provider = services.BuildServiceProvider();
        IConfigSource config = provider.GetRequiredService<IConfigSource>();
        PostgreSqlConfigSource settings = provider.GetRequiredService<PostgreSqlConfigSource>();

        Assert.Equal("7d", config.GetString("Executus:Budget:Window"));
        await settings.SetAsync("Executus:Budget:Window", "1d");
        Assert.Equal("1d", config.GetString("Executus:Budget:Window"));
        Assert.Equal("yes", config.GetString("only:in:fallback"));
        Assert.Equal([new KeyValuePair<string, string>("Executus:Budget:Window", "1d")], await settings.ListAsync());
    }

    [Fact]
    public void UsePostgreSqlSettings_without_UsePostgreSql_is_refused()
    {
        var services = new ServiceCollection();
        Assert.Throws<InvalidOperationException>(() => services.AddExecutus().UsePostgreSqlSettings());
    }

    [Fact]
    public async Task UsePostgreSql_over_a_data_source_shares_settings_between_hosts_at_once()
    {
        using var db = new TestSchema();
        await using NpgsqlDataSource dataSourceA = NpgsqlDataSource.Create(db.ConnectionString);
        await using NpgsqlDataSource dataSourceB = NpgsqlDataSource.Create(db.ConnectionString);
        ServiceProvider Host(NpgsqlDataSource dataSource)
        {
            var services = new ServiceCollection();
            services.AddExecutus().AddGenericTools().UsePostgreSql(dataSource, o => o.ChangePollInterval = TimeSpan.FromHours(1)).UsePostgreSqlSettings();
            return services.BuildServiceProvider();
        }

        await using ServiceProvider hostA = Host(dataSourceA);
        await using ServiceProvider hostB = Host(dataSourceB);
        Assert.IsType<PostgreSqlKeyValueStore>(hostA.GetRequiredService<IKeyValueStore>());
        IConfigSource configB = hostB.GetRequiredService<IConfigSource>();
        Assert.False(configB.TryGet("Executus:Budget:Window", out _));
        await hostB.GetRequiredService<PostgreSqlChangeFeed>().WaitUntilListeningAsync();

        await hostA.GetRequiredService<PostgreSqlConfigSource>().SetAsync("Executus:Budget:Window", "1d");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (configB.GetString("Executus:Budget:Window") != "1d")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "host B did not see host A's setting within 10 s");
            await Task.Delay(5);
        }

        await hostA.GetRequiredService<IKeyValueStore>().SetAsync("t=acme/c=alice/a=helper", "colour", "blue");
        Assert.Equal("blue", await hostB.GetRequiredService<IKeyValueStore>().GetAsync("t=acme/c=alice/a=helper", "colour"));
    }

    [Fact]
    public void UsePostgreSql_refuses_a_bad_connection_string_at_registration()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddExecutus().UsePostgreSql("NotAKey=1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => services.AddExecutus().UsePostgreSql("Host=h", o => o.MaxAttempts = 0));
    }
}
