using Executus;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Swaps Executus core defaults for a host's own implementations.</summary>
public static class ExecutusBuilderExtensions
{
    /// <summary>Uses <paramref name="source"/> as the configuration source, replacing the default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="source">The source.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseConfigSource(this IExecutusBuilder builder, IConfigSource source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        builder.Services.Replace(ServiceDescriptor.Singleton(source));
        return builder;
    }

    /// <summary>Uses <paramref name="delivery"/> for run output, replacing the default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="delivery">The delivery.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseDelivery(this IExecutusBuilder builder, IDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(delivery);
        builder.Services.Replace(ServiceDescriptor.Singleton(delivery));
        return builder;
    }

    /// <summary>Uses <paramref name="resolver"/> to resolve callers, replacing the anonymous default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCallerIdentityResolver(this IExecutusBuilder builder, ICallerIdentityResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(resolver);
        builder.Services.Replace(ServiceDescriptor.Singleton(resolver));
        return builder;
    }
}
