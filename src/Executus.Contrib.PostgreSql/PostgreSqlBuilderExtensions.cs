using System.Text.Json;
using Executus;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Contrib.PostgreSql;
using Executus.Personas;
using Executus.Schedules;
using Executus.Skills;
using Executus.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL stores on an <see cref="IExecutusBuilder"/>.</summary>
public static class PostgreSqlBuilderExtensions
{
    /// <summary>
    /// Puts every Executus store in one PostgreSQL database that several hosts can share: the budget ledger, audit,
    /// checkpoint, persona, personalization, skill, schedule and memory-tool key-value stores replace whatever is
    /// registered (the in-memory defaults), before or after the batteries are added. Personas, skills and schedules
    /// seeded by the batteries are copied into the database at first use, as <c>UseSqlite</c> does (a new version only
    /// when a definition changed; an unchanged schedule keeps the shared fire state). The schema is migrated on first use.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=executus;Username=app;Password=…</c>.</param>
    /// <param name="configure">Adjusts transaction and change-feed settings.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UsePostgreSql(this IExecutusBuilder builder, string connectionString, Action<PostgreSqlDatabaseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        PostgreSqlDatabaseOptions options = Configure(configure);
        // Why: built (and disposed: no connection is opened) here so a bad connection string fails at registration.
        using (new PostgreSqlDatabase(connectionString, options))
        {
        }

        return Register(builder, sp => new PostgreSqlDatabase(connectionString, options, sp.GetService<ILogger<PostgreSqlDatabase>>()));
    }

    /// <summary>
    /// Puts every Executus store in the PostgreSQL database of <paramref name="dataSource"/> (which the caller owns and
    /// disposes); otherwise as <see cref="UsePostgreSql(IExecutusBuilder, string, Action{PostgreSqlDatabaseOptions}?)"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <param name="configure">Adjusts transaction and change-feed settings.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UsePostgreSql(this IExecutusBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlDatabaseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        PostgreSqlDatabaseOptions options = Configure(configure);
        return Register(builder, sp => new PostgreSqlDatabase(dataSource, options, sp.GetService<ILogger<PostgreSqlDatabase>>()));
    }

    /// <summary>
    /// Puts a <see cref="PostgreSqlConfigSource"/> (the <c>settings</c> table of the <see cref="UsePostgreSql(IExecutusBuilder, string, Action{PostgreSqlDatabaseOptions}?)"/>
    /// database, kept fresh by the <see cref="PostgreSqlChangeFeed"/>: a change on any host is seen at once) in front of
    /// the registered configuration source: a setting in the table wins; anything it lacks comes from the source
    /// registered before. Call after <c>UsePostgreSql</c> and after any <c>UseConfigSource</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException"><c>UsePostgreSql</c> was not called first.</exception>
    public static IExecutusBuilder UsePostgreSqlSettings(this IExecutusBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(PostgreSqlDatabase)))
        {
            throw new InvalidOperationException("UsePostgreSqlSettings needs UsePostgreSql(connectionString or data source) first.");
        }

        ServiceDescriptor? previous = services.LastOrDefault(d => d.ServiceType == typeof(IConfigSource));
        services.RemoveAll<IConfigSource>();
        services.RemoveAll<PostgreSqlConfigSource>();
        services.AddSingleton(sp => new PostgreSqlConfigSource(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<PostgreSqlChangeFeed>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IConfigSource>(sp =>
        {
            PostgreSqlConfigSource settings = sp.GetRequiredService<PostgreSqlConfigSource>();
            return previous is null || Build(sp, previous) is not IConfigSource inner
                ? settings
                : new CompositeConfigSource(settings, inner);
        });
        return builder;
    }

    private static PostgreSqlDatabaseOptions Configure(Action<PostgreSqlDatabaseOptions>? configure)
    {
        var options = new PostgreSqlDatabaseOptions();
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    private static IExecutusBuilder Register(IExecutusBuilder builder, Func<IServiceProvider, PostgreSqlDatabase> database)
    {
        IServiceCollection services = builder.Services;
        services.RemoveAll<PostgreSqlDatabase>();
        services.RemoveAll<PostgreSqlChangeFeed>();
        services.AddSingleton(database);
        services.AddSingleton(sp => new PostgreSqlChangeFeed(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetService<TimeProvider>()));

        Swap<IBudgetStore>(services, static (sp, _) => new PostgreSqlBudgetStore(sp.GetRequiredService<PostgreSqlDatabase>()));
        Swap<IAuditStore>(services, static (sp, _) =>
        {
            IConfigSource config = sp.GetRequiredService<IConfigSource>();
            AuditRetention retention = AuditRetention.FromConfig(config, 1_000_000);
            return new PostgreSqlAuditStore(sp.GetRequiredService<PostgreSqlDatabase>(), retention, sp.GetService<TimeProvider>());
        });
        Swap<ICheckpointStore>(services, static (sp, _) => new PostgreSqlCheckpointStore(sp.GetRequiredService<PostgreSqlDatabase>()));
        Swap<IPersonalizationStore>(services, static (sp, _) => new PostgreSqlPersonalizationStore(sp.GetRequiredService<PostgreSqlDatabase>()));
        Swap<IKeyValueStore>(services, static (sp, _) => new PostgreSqlKeyValueStore(sp.GetRequiredService<PostgreSqlDatabase>()));
        Swap<IScheduleStore>(services, static (sp, replaced) =>
        {
            var store = new PostgreSqlScheduleStore(sp.GetRequiredService<PostgreSqlDatabase>());
            if (Build(sp, replaced) is InMemoryScheduleStore seeded)
            {
                SeedSchedulesAsync(seeded, store).GetAwaiter().GetResult();
            }

            return store;
        });
        Swap<IPersonaStore>(services, static (sp, replaced) =>
        {
            var store = new PostgreSqlPersonaStore(sp.GetRequiredService<PostgreSqlDatabase>());
            if (Build(sp, replaced) is InMemoryPersonaStore seeded)
            {
                SeedPersonasAsync(seeded, store).GetAwaiter().GetResult();
            }

            return store;
        });
        Swap<ISkillStore>(services, static (sp, replaced) =>
        {
            var store = new PostgreSqlSkillStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetService<TimeProvider>());
            if (Build(sp, replaced) is InMemorySkillStore seeded)
            {
                SeedSkillsAsync(seeded, store).GetAwaiter().GetResult();
            }

            return store;
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

    // Why: seeding runs at resolution (a factory is synchronous); it is done on the thread pool, so no context is blocked.
    private static Task SeedPersonasAsync(InMemoryPersonaStore seeded, PostgreSqlPersonaStore store) => Task.Run(async () =>
    {
        foreach (Persona persona in await seeded.ListAsync().ConfigureAwait(false))
        {
            Persona? existing = await store.GetAsync(persona.Name).ConfigureAwait(false);
            if (existing is null || !SameDefinition(existing, persona))
            {
                await store.PutAsync(persona).ConfigureAwait(false);
            }
        }
    });

    private static bool SameDefinition(Persona a, Persona b) =>
        JsonSerializer.Serialize(a with { Version = null, SourcePath = null }, PostgreSqlJson.Options) == JsonSerializer.Serialize(b with { Version = null, SourcePath = null }, PostgreSqlJson.Options);

    private static Task SeedSchedulesAsync(InMemoryScheduleStore seeded, PostgreSqlScheduleStore store) => Task.Run(async () =>
    {
        foreach (Schedule schedule in await seeded.ListAsync().ConfigureAwait(false))
        {
            Schedule? existing = await store.GetAsync(schedule.Id).ConfigureAwait(false);
            if (existing is null || ScheduleDefinition(existing) != ScheduleDefinition(schedule))
            {
                await store.SaveAsync(schedule).ConfigureAwait(false);
            }
        }
    });

    private static string ScheduleDefinition(Schedule schedule) =>
        JsonSerializer.Serialize(schedule with { NextFireAt = null, LastFireAt = null, LastOutcome = null, LastRunId = null }, PostgreSqlJson.Options);

    private static Task SeedSkillsAsync(InMemorySkillStore seeded, PostgreSqlSkillStore store) => Task.Run(async () =>
    {
        foreach (string? tenant in seeded.Tenants)
        {
            string? cursor = null;
            do
            {
                SkillPage page = await seeded.ListAsync(tenant, cursor: cursor).ConfigureAwait(false);
                foreach (SkillInfo info in page.Items)
                {
                    if (await seeded.GetAsync(tenant, info.Name).ConfigureAwait(false) is { } version)
                    {
                        await store.ImportAsync(tenant, version.Skill).ConfigureAwait(false);
                    }
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }
    });
}
