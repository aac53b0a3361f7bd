using Executus;
using Executus.Mcp;
using Executus.Net;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;
using System.Diagnostics.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MCP client side (<see cref="AddMcpServers"/>) and the MCP agent server (<see cref="AddMcpAgentServer"/>).</summary>
public static class McpBuilderExtensions
{
    /// <summary>
    /// Adds the MCP servers configured under <c>Executus:Mcp:Servers:{name}:…</c> (from the registered
    /// <see cref="IConfiguration"/>, then <paramref name="configure"/>): an <see cref="McpServerManager"/> singleton that is
    /// also an <see cref="IHostedService"/> (eager servers start with the host, every server stops with it). Without a
    /// host, resolve <see cref="McpServerManager"/> and call <see cref="McpServerManager.StartAsync(CancellationToken)"/>
    /// before the first run.
    /// </summary>
    /// <param name="builder">The Executus builder.</param>
    /// <param name="configure">Adds or changes servers in code.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddMcpServers(this IExecutusBuilder builder, Action<McpServersOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            services.AddSingleton(new McpServersConfigurator(configure));
        }

        if (services.Any(d => d.ServiceType == typeof(McpServerManager)))
        {
            return builder;
        }

        services.TryAddSingleton(static sp =>
        {
            McpServersOptions options = new();
            if (sp.GetService<IConfiguration>() is { } configuration)
            {
                options.ApplyConfiguration(configuration);
            }

            foreach (McpServersConfigurator configurator in sp.GetServices<McpServersConfigurator>())
            {
                configurator.Configure(options);
            }

            return options;
        });
        services.TryAddSingleton(static sp => new McpServerManager(
            sp.GetRequiredService<McpServersOptions>(),
            sp.GetRequiredService<IToolRegistry>(),
            sp.GetService<ISafeHttpClientFactory>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<McpServerManager>());
        return builder;
    }

    /// <summary>
    /// Adds the MCP agent server: an <see cref="McpAgentServer"/> serving the <see cref="IAgentCatalog"/>'s agents
    /// (options from <c>Executus:Mcp:AgentServer:…</c>, then <paramref name="configure"/>), the MCP SDK's streamable HTTP
    /// transport and the API-key authentication scheme. Map the endpoint with
    /// <c>app.MapMcpAgentServer("/mcp")</c>; serve stdio with <see cref="McpAgentServer.RunStdioAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="builder">The Executus builder.</param>
    /// <param name="configure">Changes the options in code (agents, API keys, stdio caller).</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddMcpAgentServer(this IExecutusBuilder builder, Action<McpAgentServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(McpAgentServer)))
        {
            throw new InvalidOperationException("AddMcpAgentServer was already called; configure the agent server once.");
        }

        services.AddSingleton(sp =>
        {
            McpAgentServerOptions options = new();
            if (sp.GetService<IConfiguration>() is { } configuration)
            {
                options.ApplyConfiguration(configuration);
            }

            configure?.Invoke(options);
            return options;
        });
        services.AddSingleton(static sp => new McpAgentServer(
            sp.GetRequiredService<IAgentCatalog>(),
            sp.GetRequiredService<Executor>(),
            sp.GetRequiredService<McpAgentServerOptions>(),
            sp.GetService<ILoggerFactory>()));
        services.AddMcpServer().WithHttpTransport();
        services.AddOptions<McpServerOptions>().Configure<McpAgentServer>(static (options, server) => server.Configure(options));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, McpApiKeyAuthenticationHandler>(McpAgentServer.AuthenticationScheme, configureOptions: null);
        services.AddAuthorization();
        return builder;
    }
}
