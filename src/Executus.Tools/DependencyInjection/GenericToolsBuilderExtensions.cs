using Executus;
using Executus.Deliver;
using Executus.Net;
using Executus.Runs;
using Executus.Tooling;
using Executus.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the generic tools of <c>Executus.Tools</c> to the tool registry.</summary>
public static class GenericToolsBuilderExtensions
{
    /// <summary>
    /// Adds the generic tool groups <paramref name="configure"/> leaves on (all by default): web (<c>web_fetch</c>),
    /// net (<c>dns_lookup</c>, <c>http_head</c>), store (<c>memory_get/set/delete/list</c>, over an
    /// <see cref="IKeyValueStore"/>: <see cref="InMemoryKeyValueStore"/> unless the host registers its own), compose
    /// (<c>run_agent</c>, over the <see cref="IAgentCatalog"/>), meta (<c>list_tools</c>, <c>current_time</c>,
    /// <c>run_info</c>) and comms (<c>send_message</c>, through the <see cref="IDelivery"/>). Each tool is registered
    /// with its category, side effect and (for URL tools) a <see cref="UrlArgumentValidator"/> on the container's SSRF
    /// guard; use <see cref="GenericToolsOptions.ConfigureMetadata"/> to add scopes, roles or approval.
    /// </summary>
    /// <remarks>
    /// The groups are decided here, once: calling this twice throws. Agents still see only the tools they name in
    /// <see cref="RunnableAgent.Tools"/> (see <see cref="GenericToolNames"/>).
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Picks groups and caps.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">The generic tools were already added.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A cap in the options is out of range.</exception>
    public static IExecutusBuilder AddGenericTools(this IExecutusBuilder builder, Action<GenericToolsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(GenericToolsOptions)))
        {
            throw new InvalidOperationException("AddGenericTools was already called; pick every tool group in one call.");
        }

        GenericToolsOptions options = new();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);

        if (options.Web)
        {
            services.TryAddSingleton(static sp => new WebTools(
                sp.GetRequiredService<ISafeHttpClientFactory>(), sp.GetService<IHostResolver>(), sp.GetRequiredService<GenericToolsOptions>(), sp.GetService<TimeProvider>()));
            AddTools<WebTools>(services, static t => t.WebFetch);
        }

        if (options.Net)
        {
            services.TryAddSingleton(static sp => new NetTools(
                sp.GetRequiredService<ISafeHttpClientFactory>(), sp.GetService<IHostResolver>(), sp.GetRequiredService<GenericToolsOptions>(), sp.GetService<TimeProvider>()));
            AddTools<NetTools>(services, static t => t.DnsLookup, static t => t.HttpHead);
        }

        if (options.Memory)
        {
            services.TryAddSingleton<IKeyValueStore, InMemoryKeyValueStore>();
            services.TryAddSingleton(static sp => new MemoryTools(sp.GetRequiredService<IKeyValueStore>(), sp.GetRequiredService<GenericToolsOptions>()));
            AddTools<MemoryTools>(services, static t => t.MemoryGet, static t => t.MemorySet, static t => t.MemoryDelete, static t => t.MemoryList);
        }

        if (options.Compose)
        {
            services.AddExecutusAgentCatalog();
            services.TryAddSingleton(static sp => new ComposeTools(sp.GetRequiredService<IAgentCatalog>(), sp.GetRequiredService<GenericToolsOptions>()));
            AddTools<ComposeTools>(services, static t => t.RunAgent);
        }

        if (options.Meta)
        {
            services.TryAddSingleton(static sp => new MetaTools(sp.GetService<TimeProvider>(), sp.GetRequiredService<GenericToolsOptions>()));
            AddTools<MetaTools>(services, static t => t.ListTools, static t => t.CurrentTime, static t => t.RunInfo);
        }

        if (options.Comms)
        {
            services.TryAddSingleton(static sp => new CommsTools(sp.GetService<IDelivery>() ?? UnconfiguredDelivery.Instance, sp.GetRequiredService<GenericToolsOptions>()));
            AddTools<CommsTools>(services, static t => t.SendMessage);
        }

        return builder;
    }

    private static void AddTools<TGroup>(IServiceCollection services, params Func<TGroup, RegisteredTool>[] tools)
        where TGroup : notnull
    {
        // Why: one descriptor per tool, resolved lazily, so the registry (built from every RegisteredTool) sees each
        // tool, and the group's dependencies (SSRF guard, store, catalog, delivery) come from the finished container.
        foreach (Func<TGroup, RegisteredTool> tool in tools)
        {
            services.AddSingleton(sp => tool(sp.GetRequiredService<TGroup>()));
        }
    }
}
