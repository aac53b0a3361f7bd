using BotHost.Http;
using Executus;
using Executus.Configuration;
using Executus.Models;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotHost;

/// <summary>Builds and runs the bot host.</summary>
internal static class BotHostApp
{
    /// <summary>The example's defaults; environment variables, command-line arguments and appsettings override them.</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        // Budget: each caller gets 20,000 tokens per rolling 7 days; a warning at 80 %. The offline model is priced so
        // spend shows money too; a real model without a price counts at zero (set Executus:Budget:Prices:{ref}:*).
        ["Executus:Budget:Scopes"] = "caller",
        ["Executus:Budget:Limits:caller:Tokens"] = "20000",
        ["Executus:Budget:SoftLimitPercent"] = "80",
        ["Executus:Budget:Prices:scripted:demo:Input"] = "0.15",
        ["Executus:Budget:Prices:scripted:demo:Output"] = "0.60",
        ["Executus:Budget:Prices:Fallback:Input"] = "0",
        ["Executus:Budget:Prices:Fallback:Output"] = "0",

        // Checkpoint after every tool turn, so a crash loses at most the model call in flight.
        ["Executus:Checkpoint:MinInterval"] = "0s",

        // Run leases: processes sharing one database (BotHost:Storage:*) resume each interrupted run once. The host id
        // (BotHost:HostId) is stable per state folder, so a lone bot still resumes its runs at once after a crash.
        ["Executus:Checkpoint:Lease:Enabled"] = "true",
        ["Executus:Lanes:chat:MaxConcurrency"] = "8",
        ["Executus:Lanes:schedule:MaxConcurrency"] = "2",
        ["Executus:Schedule:ShutdownTimeout"] = "2s",
        ["Executus:Lanes:recovery:MaxConcurrency"] = "2",

        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:BotHost"] = "Information",
        ["Logging:LogLevel:Executus"] = "Information",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["hash-key", string key])
        {
            Console.WriteLine(ApiKeyAuthenticator.Hash(key));
            return 0;
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        IConfigSource config = new CompositeConfigSource(new ConfigurationConfigSource(builder.Configuration), EnvironmentConfigSource.Instance);
        BotOptions bot;
        try
        {
            bot = BotOptions.FromConfig(config, builder.Environment.ContentRootPath);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"BotHost: {ex.Message}");
            return 2;
        }

        // Why: stdout is the console channel; logs go to stderr so the two never interleave in one stream.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = bot.DrainTimeout + TimeSpan.FromSeconds(20));

        bool realModel = config.TryGet("Executus:Models:Tiers:default", out string? tier) && !string.IsNullOrWhiteSpace(tier);
        if (realModel)
        {
            // The example personas ask for the "smart" and "fast" tiers: without their own setting they use "default".
            var tiers = new Dictionary<string, string?>();
            foreach (string name in (string[])["smart", "fast"])
            {
                if (!config.TryGet($"Executus:Models:Tiers:{name}", out _))
                {
                    tiers[$"Executus:Models:Tiers:{name}"] = tier;
                }
            }

            builder.Configuration.AddInMemoryCollection(tiers);
        }

        // Why: one id for both kinds of lease (runs, schedules) unless the Executus keys set their own.
        var hostIds = new Dictionary<string, string?>();
        foreach (string idKey in (string[])["Executus:Checkpoint:Lease:HostId", "Executus:Schedule:HostId"])
        {
            if (!config.TryGet(idKey, out string? set) || string.IsNullOrWhiteSpace(set))
            {
                hostIds[idKey] = bot.HostId;
            }
        }

        builder.Configuration.AddInMemoryCollection(hostIds);
        Directory.CreateDirectory(bot.StateDir);
        builder.Services.AddSingleton(bot);
        builder.Services.AddSingleton(new BotBanner(realModel
            ? $"Executus BotHost — on a REAL model (tier 'default' = {tier})."
            : "Executus BotHost — offline, on a SCRIPTED model (no network, no API key). Set Executus__Models__Tiers__default for a real one."));
        builder.Services.AddSingleton(static sp => new RunTracker(
            sp.GetService<Executus.Batteries.Audit.IAuditRedactor>() ?? new Executus.Batteries.Audit.DefaultAuditRedactor(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddSingleton<LiveRuns>();
        builder.Services.AddSingleton<Inbox>();

        IExecutusBuilder executus = builder.Services.AddExecutus()
            .AddOpenAIProvider()
            .AddGenericTools()
            .AddTool(
                AIFunctionFactory.Create((string text) => $"Announced to the channel: {text}", "post_announcement", "Posts an announcement to the whole channel."),
                new ToolMetadata { Category = "channel", SideEffect = SideEffect.External, RequiredRoles = ["moderator", "admin"] })
            .AddRunObserver(static sp => sp.GetRequiredService<RunTracker>())
            .UseDelivery(static sp => sp.GetRequiredService<Inbox>());
        if (!realModel)
        {
            executus.UseChatClient(new DemoChatClient(bot.SlowDelay), new ModelReference(DemoChatClient.Provider, DemoChatClient.Model));
        }

        BotStorage.Use(
            executus.AddBatteries()
                .AddPersonasFrom(Path.Combine(bot.DataDir, "personas"))
                .AddSkillsFrom(Path.Combine(bot.DataDir, "skills")),
            bot);

        // Hosted services stop in reverse order of registration: the chat service drains and interrupts running runs
        // first (their streams end), then the channels close, then the batteries' schedule runner and recovery (both
        // registered by AddBatteries, before these) stop firing and flush the checkpoints.
        builder.Services.AddSingleton<CommandProcessor>();
        if (bot.HttpEnabled)
        {
            builder.Services.AddHostedService<HttpChannel>();
        }

        if (bot.ConsoleEnabled)
        {
            builder.Services.AddHostedService<ConsoleChannel>();
        }

        builder.Services.AddSingleton<ChatService>();
        builder.Services.AddHostedService(static sp => sp.GetRequiredService<ChatService>());
        builder.Services.AddSingleton<ScheduleService>();

        using IHost host = builder.Build();
        try
        {
            await host.RunAsync();
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"BotHost: {ex.Message}");
            return 2;
        }

        return 0;
    }
}
