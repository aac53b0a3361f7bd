using System.Text.Json;
using Executus;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Contrib.Sqlite;
using Executus.Personas;
using Executus.Schedules;
using Executus.Skills;
using Executus.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite stores on an <see cref="IExecutusBuilder"/>.</summary>
public static class SqliteBuilderExtensions
{
    /// <summary>
    /// Puts every Executus store on one SQLite file: the budget ledger, audit, checkpoint, persona, personalization, skill,
    /// schedule and memory-tool key-value stores replace whatever is registered (the in-memory defaults), before or after the
    /// batteries are added. Personas and skills seeded by the batteries (folders, <c>Add</c>) are copied into the file
    /// at first use (a new version only when a definition changed), and so are schedules held by a registered
    /// <see cref="InMemoryScheduleStore"/> instance: a schedule the file lacks, or whose definition changed, is saved; an
    /// unchanged one keeps the file's fire state (last/next fire, last outcome). The schema is migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, for example <c>Data Source=executus.db</c>.</param>
    /// <param name="configure">Adjusts connection settings (busy timeout).</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseSqlite(this IExecutusBuilder builder, string connectionString, Action<SqliteDatabaseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new SqliteDatabaseOptions();
        configure?.Invoke(options);
        // Why: built here so a bad connection string or option fails at registration, not at first resolution.
        _ = new SqliteDatabase(connectionString, options);
        IServiceCollection services = builder.Services;
        services.RemoveAll<SqliteDatabase>();
        services.AddSingleton(sp => new SqliteDatabase(connectionString, options, sp.GetService<ILogger<SqliteDatabase>>()));

        Swap<IBudgetStore>(services, static (sp, _) => new SqliteBudgetStore(sp.GetRequiredService<SqliteDatabase>()));
        Swap<IAuditStore>(services, static (sp, _) =>
        {
            IConfigSource config = sp.GetRequiredService<IConfigSource>();
            AuditRetention retention = AuditRetention.FromConfig(config, 100_000);
            return new SqliteAuditStore(sp.GetRequiredService<SqliteDatabase>(), retention, sp.GetService<TimeProvider>());
        });
        Swap<ICheckpointStore>(services, static (sp, _) => new SqliteCheckpointStore(sp.GetRequiredService<SqliteDatabase>()));
        Swap<IPersonalizationStore>(services, static (sp, _) => new SqlitePersonalizationStore(sp.GetRequiredService<SqliteDatabase>()));
        Swap<IKeyValueStore>(services, static (sp, _) => new SqliteKeyValueStore(sp.GetRequiredService<SqliteDatabase>()));
        Swap<IScheduleStore>(services, static (sp, replaced) =>
        {
            var store = new SqliteScheduleStore(sp.GetRequiredService<SqliteDatabase>());
            if (Build(sp, replaced) is InMemoryScheduleStore seeded)
            {
                SeedSchedules(seeded, store);
            }

            return store;
        });
        Swap<IPersonaStore>(services, static (sp, replaced) =>
        {
            var store = new SqlitePersonaStore(sp.GetRequiredService<SqliteDatabase>());
            if (Build(sp, replaced) is InMemoryPersonaStore seeded)
            {
                SeedPersonas(seeded, store);
            }

            return store;
        });
        Swap<ISkillStore>(services, static (sp, replaced) =>
        {
            var store = new SqliteSkillStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetService<TimeProvider>());
            if (Build(sp, replaced) is InMemorySkillStore seeded)
            {
                SeedSkills(seeded, store);
            }

            return store;
        });
        return builder;
    }

    /// <summary>
    /// Puts a <see cref="SqliteConfigSource"/> (the <c>settings</c> table of the <see cref="UseSqlite"/> file) in front of
    /// the registered configuration source: a setting in the table wins and is read at every call; anything it lacks
    /// comes from the source registered before. Call after <see cref="UseSqlite"/> and after any <c>UseConfigSource</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException"><see cref="UseSqlite"/> was not called first.</exception>
    public static IExecutusBuilder UseSqliteSettings(this IExecutusBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(SqliteDatabase)))
        {
            throw new InvalidOperationException("UseSqliteSettings needs UseSqlite(\"Data Source=...\") first.");
        }

        ServiceDescriptor? previous = services.LastOrDefault(d => d.ServiceType == typeof(IConfigSource));
        services.RemoveAll<IConfigSource>();
        services.AddSingleton<SqliteConfigSource>(sp => new SqliteConfigSource(sp.GetRequiredService<SqliteDatabase>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IConfigSource>(sp =>
        {
            SqliteConfigSource settings = sp.GetRequiredService<SqliteConfigSource>();
            return previous is null || Build(sp, previous) is not IConfigSource inner
                ? settings
                : new CompositeConfigSource(settings, inner);
        });
        return builder;
    }

    private static void Swap<TService>(IServiceCollection services, Func<IServiceProvider, ServiceDescriptor?, TService> factory)
        where TService : class
    {
        ServiceDescriptor? replaced = services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        services.RemoveAll<TService>();
        services.AddSingleton<TService>(sp => factory(sp, replaced));
    }

    private static object? Build(IServiceProvider services, ServiceDescriptor? descriptor) => descriptor switch
    {
        null => null,
        { ImplementationInstance: { } instance } => instance,
        { ImplementationFactory: { } factory } => factory(services),
        { ImplementationType: { } type } => ActivatorUtilities.CreateInstance(services, type),
        _ => null,
    };

    private static void SeedPersonas(InMemoryPersonaStore seeded, SqlitePersonaStore store)
    {
        // Why: synchronous at resolution; both stores complete synchronously (SQLite calls are synchronous here).
        foreach (Persona persona in seeded.ListAsync().AsTask().GetAwaiter().GetResult())
        {
            Persona? existing = store.GetAsync(persona.Name).AsTask().GetAwaiter().GetResult();
            if (existing is null || !SameDefinition(existing, persona))
            {
                store.PutAsync(persona).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    private static bool SameDefinition(Persona a, Persona b) =>
        JsonSerializer.Serialize(a with { Version = null, SourcePath = null }, SqliteJson.Options) == JsonSerializer.Serialize(b with { Version = null, SourcePath = null }, SqliteJson.Options);

    private static void SeedSchedules(InMemoryScheduleStore seeded, SqliteScheduleStore store)
    {
        foreach (Schedule schedule in seeded.ListAsync().AsTask().GetAwaiter().GetResult())
        {
            Schedule? existing = store.GetAsync(schedule.Id).AsTask().GetAwaiter().GetResult();
            if (existing is null || ScheduleDefinition(existing) != ScheduleDefinition(schedule))
            {
                store.SaveAsync(schedule).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    private static string ScheduleDefinition(Schedule schedule) =>
        JsonSerializer.Serialize(schedule with { NextFireAt = null, LastFireAt = null, LastOutcome = null, LastRunId = null }, SqliteJson.Options);

    private static void SeedSkills(InMemorySkillStore seeded, SqliteSkillStore store)
    {
        foreach (string? tenant in seeded.Tenants)
        {
            string? cursor = null;
            do
            {
                SkillPage page = seeded.ListAsync(tenant, cursor: cursor).AsTask().GetAwaiter().GetResult();
                foreach (SkillInfo info in page.Items)
                {
                    if (seeded.GetAsync(tenant, info.Name).AsTask().GetAwaiter().GetResult() is { } version)
                    {
                        store.ImportAsync(tenant, version.Skill).AsTask().GetAwaiter().GetResult();
                    }
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }
    }
}
