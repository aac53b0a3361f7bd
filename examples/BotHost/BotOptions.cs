using System.Security.Cryptography;
using System.Text;
using Executus.Configuration;

namespace BotHost;

/// <summary>The example's own settings (<c>BotHost:*</c>; environment variables <c>BotHost__Channel</c> etc.).</summary>
internal sealed class BotOptions
{
    public const string Prefix = "BotHost:";

    /// <summary>Gets which channels run: <c>console</c> (default), <c>http</c>, or <c>both</c>.</summary>
    public required string Channel { get; init; }

    /// <summary>Gets the HTTP API's address (<c>BotHost:Http:Url</c>, default <c>http://127.0.0.1:5080</c>; port 0 = any free port).</summary>
    public required Uri HttpUrl { get; init; }

    /// <summary>Gets where personas and skills are read (<c>BotHost:DataDir</c>, default the <c>data</c> folder beside the app).</summary>
    public required string DataDir { get; init; }

    /// <summary>Gets where durable state lives (<c>BotHost:StateDir</c>, default the user's local app data folder, <c>Executus.BotHost</c>).</summary>
    public required string StateDir { get; init; }

    /// <summary>Gets the persona a new session talks to (<c>BotHost:DefaultPersona</c>, default <c>assistant</c>).</summary>
    public required string DefaultPersona { get; init; }

    /// <summary>Gets how long a shutdown waits for running runs before it interrupts them (<c>BotHost:DrainTimeout</c>, default 10s).</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>Gets the offline model's pause for "slow" requests (<c>BotHost:Demo:SlowDelay</c>, default 20s).</summary>
    public required TimeSpan SlowDelay { get; init; }

    /// <summary>Gets the console channel's caller id (<c>BotHost:Console:Caller</c>, default <c>operator</c>).</summary>
    public required string ConsoleCaller { get; init; }

    /// <summary>Gets the console caller's roles (<c>BotHost:Console:Roles</c>, default <c>admin,moderator,member</c>).</summary>
    public required IReadOnlyList<string> ConsoleRoles { get; init; }

    /// <summary>Gets the store provider (<c>BotHost:Storage:Provider</c>, default <c>sqlite</c>; see <see cref="BotStorage"/>).</summary>
    public required string StorageProvider { get; init; }

    /// <summary>
    /// Gets the SQLite database file (<c>BotHost:Storage:Sqlite</c>, default <c>bothost.db</c> in <see cref="StateDir"/>).
    /// Point several processes of one machine at the same file to share budget, schedules and interrupted runs.
    /// </summary>
    public required string SqlitePath { get; init; }

    /// <summary>
    /// Gets the PostgreSQL connection string (<c>BotHost:Storage:PostgreSql</c>, required when the provider is
    /// <c>postgresql</c>): hosts on several machines pointed at one database share budget, schedules and interrupted runs.
    /// </summary>
    public string? PostgreSqlConnectionString { get; init; }

    /// <summary>
    /// Gets this process's host id in run and schedule leases (<c>BotHost:HostId</c>; default the machine name plus a
    /// hash of <see cref="StateDir"/>, so a restarted bot with the same state folder takes its own interrupted runs back
    /// at once, while processes with different state folders never share an id).
    /// </summary>
    public required string HostId { get; init; }

    public bool ConsoleEnabled => Channel is "console" or "both";

    public bool HttpEnabled => Channel is "http" or "both";

    private static string DefaultStateDir(string contentRoot)
    {
        string appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(appData) ? Path.Combine(contentRoot, "state") : Path.Combine(appData, "Executus.BotHost");
    }

    public static BotOptions FromConfig(IConfigSource config, string contentRoot)
    {
        string channel = config.GetString(Prefix + "Channel", "console").Trim().ToLowerInvariant();
        if (channel is not ("console" or "http" or "both"))
        {
            throw new ConfigException(Prefix + "Channel", channel, "console, http or both");
        }

        string url = config.GetString(Prefix + "Http:Url", "http://127.0.0.1:5080");
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? httpUrl) || httpUrl.Scheme != Uri.UriSchemeHttp)
        {
            throw new ConfigException(Prefix + "Http:Url", url, "an absolute http:// URL such as http://127.0.0.1:5080");
        }

        string stateDir = Path.GetFullPath(config.GetString(Prefix + "StateDir", DefaultStateDir(contentRoot))!);
        string provider = config.GetString(Prefix + "Storage:Provider", BotStorage.Sqlite).Trim().ToLowerInvariant();
        if (!BotStorage.Providers.Contains(provider))
        {
            throw new ConfigException(Prefix + "Storage:Provider", provider, string.Join(" or ", BotStorage.Providers));
        }

        string? postgres = config.GetString(Prefix + "Storage:PostgreSql");
        if (provider == BotStorage.PostgreSql && string.IsNullOrWhiteSpace(postgres))
        {
            throw new ConfigException(Prefix + "Storage:PostgreSql", postgres, "a PostgreSQL connection string such as 'Host=db;Username=bot;Password=…;Database=bot' (the provider is postgresql)");
        }

        string hostId = config.GetString(Prefix + "HostId")?.Trim() is { Length: > 0 } configured
            ? configured
            : $"{Environment.MachineName}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stateDir)))[..12]}";
        return new BotOptions
        {
            Channel = channel,
            HttpUrl = httpUrl,
            DataDir = Path.GetFullPath(config.GetString(Prefix + "DataDir", Path.Combine(AppContext.BaseDirectory, "data"))),
            StateDir = stateDir,
            StorageProvider = provider,
            SqlitePath = Path.GetFullPath(config.GetString(Prefix + "Storage:Sqlite", Path.Combine(stateDir, "bothost.db"))),
            PostgreSqlConnectionString = postgres,
            HostId = hostId,
            DefaultPersona = config.GetString(Prefix + "DefaultPersona", "assistant"),
            DrainTimeout = config.GetDuration(Prefix + "DrainTimeout", TimeSpan.FromSeconds(10)),
            SlowDelay = config.GetDuration(Prefix + "Demo:SlowDelay", TimeSpan.FromSeconds(20)),
            ConsoleCaller = config.GetString(Prefix + "Console:Caller", "operator"),
            ConsoleRoles = config.GetList(Prefix + "Console:Roles") is { Count: > 0 } roles ? roles : ["admin", "moderator", "member"],
        };
    }
}
