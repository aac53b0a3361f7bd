using Executus;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds tools and swaps the tooling defaults.</summary>
public static class ToolingBuilderExtensions
{
    /// <summary>Adds a tool to the registry.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="function">The function.</param>
    /// <param name="metadata">Its metadata; <see langword="null"/> for <see cref="ToolMetadata.Default"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="DuplicateToolException">A tool with the same name was already added.</exception>
    public static IExecutusBuilder AddTool(this IExecutusBuilder builder, AIFunction function, ToolMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(function);
        return builder.AddTool(new RegisteredTool(function, metadata));
    }

    /// <summary>Adds a tool to the registry.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="tool">The tool.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="DuplicateToolException">A tool with the same name was already added.</exception>
    public static IExecutusBuilder AddTool(this IExecutusBuilder builder, RegisteredTool tool)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tool);
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(RegisteredTool) &&
                !descriptor.IsKeyedService &&
                descriptor.ImplementationInstance is RegisteredTool existing &&
                existing.Name == tool.Name)
            {
                throw new DuplicateToolException(tool.Name, existing.Metadata.Category);
            }
        }

        builder.Services.AddSingleton(tool);
        return builder;
    }

    /// <summary>Uses <paramref name="paletteSource"/> for stage 1, replacing the allow-all default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="paletteSource">The palette source.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UsePaletteSource(this IExecutusBuilder builder, IPaletteSource paletteSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(paletteSource);
        builder.Services.Replace(ServiceDescriptor.Singleton(paletteSource));
        return builder;
    }

    /// <summary>Uses <paramref name="handler"/> to approve calls to tools that need approval.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="handler">The approval handler.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseToolApprovalHandler(this IExecutusBuilder builder, IToolApprovalHandler handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Services.Replace(ServiceDescriptor.Singleton(handler));
        return builder;
    }

    /// <summary>Adds a validator run on every call to every tool (before each tool's own validators).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="validator">The validator.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddToolArgumentValidator(this IExecutusBuilder builder, IToolArgumentValidator validator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(validator);
        builder.Services.AddSingleton(validator);
        return builder;
    }

    /// <summary>Uses <paramref name="resolver"/> for the SSRF guard's name resolution, replacing <see cref="DnsHostResolver"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseHostResolver(this IExecutusBuilder builder, IHostResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(resolver);
        builder.Services.Replace(ServiceDescriptor.Singleton(resolver));
        return builder;
    }

    /// <summary>Changes the SSRF options after they are read from configuration (e.g. to add allow-list entries).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">The change.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder ConfigureSsrf(this IExecutusBuilder builder, Action<SsrfOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
