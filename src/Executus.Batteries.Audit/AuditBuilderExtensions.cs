using Executus;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the Audit battery into the run kernel's <see cref="IAudit"/> port.</summary>
public static class AuditBuilderExtensions
{
    /// <summary>
    /// Uses an <see cref="AuditWriter"/> as the audit port. Registers, with <c>TryAdd</c>, an <see cref="IAuditStore"/>
    /// (<see cref="InMemoryAuditStore"/> with retention from <c>Executus:Audit:Retention:MaxAge</c> (default 30d) and
    /// <c>:MaxCount</c> (default 100000)) and an <see cref="IAuditRedactor"/> (<see cref="DefaultAuditRedactor"/>), so a
    /// host registers its own before or after. The writer's options are read from <c>Executus:Audit:*</c> (see
    /// <see cref="AuditWriterOptions"/>), then <paramref name="configure"/> runs. The container disposes the writer,
    /// which drains its queue.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddAudit(this IExecutusBuilder builder, Action<AuditWriterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton<IAuditStore>(static sp =>
        {
            IConfigSource config = sp.GetRequiredService<IConfigSource>();
            AuditRetention retention = AuditRetention.FromConfig(config, 100_000);
            return new InMemoryAuditStore(retention, sp.GetService<TimeProvider>());
        });
        services.TryAddSingleton<IAuditRedactor>(static sp =>
            new DefaultAuditRedactor(AuditWriterOptions.FromConfig(sp.GetRequiredService<IConfigSource>()).MaxValueLength));
        services.TryAddSingleton(sp =>
        {
            AuditWriterOptions options = AuditWriterOptions.FromConfig(sp.GetRequiredService<IConfigSource>());
            configure?.Invoke(options);
            return new AuditWriter(
                sp.GetRequiredService<IAuditStore>(),
                options,
                sp.GetRequiredService<IAuditRedactor>(),
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<AuditWriter>>());
        });
        services.Replace(ServiceDescriptor.Singleton<IAudit>(static sp => sp.GetRequiredService<AuditWriter>()));
        return builder;
    }
}
