using Executus;
using Executus.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BotHost;

/// <summary>
/// THE place where the bot's durable store is chosen (<c>BotHost:Storage:Provider</c>): every store seam (budget, audit,
/// checkpoints with their run leases, personas, skills, schedules with their leases, memory) goes to one database, so
/// several bot processes pointed at the same database share the budget, fire each schedule once and resume each other's
/// interrupted runs.
/// </summary>
internal static class BotStorage
{
    /// <summary>The SQLite provider: one file, shared by the processes of one machine.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The PostgreSQL provider: one database, shared by hosts on any number of machines.</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>Gets the providers this build knows.</summary>
    public static IReadOnlyList<string> Providers { get; } = [Sqlite, PostgreSql];

    /// <summary>Registers the chosen store for every seam.</summary>
    /// <param name="executus">The builder (batteries already added).</param>
    /// <param name="bot">The bot's settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ConfigException">The provider is unknown.</exception>
    public static IExecutusBuilder Use(IExecutusBuilder executus, BotOptions bot) => bot.StorageProvider switch
    {
        Sqlite => executus.UseSqlite($"Data Source={bot.SqlitePath}"),
        PostgreSql => executus.UsePostgreSql(bot.PostgreSqlConnectionString!),
        _ => throw new ConfigException(BotOptions.Prefix + "Storage:Provider", bot.StorageProvider, string.Join(" or ", Providers)),
    };
}
