using Executus.Configuration;
using Executus.Deliver;
using Executus.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Executus.Core.Tests.DependencyInjection;

public class AddExecutusTests
{
    [Fact]
    public void Registers_every_default()
    {
        using ServiceProvider provider = new ServiceCollection().AddExecutus().Services.BuildServiceProvider();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<EnvironmentConfigSource>(provider.GetRequiredService<IConfigSource>());
        Assert.IsType<AnonymousCallerIdentityResolver>(provider.GetRequiredService<ICallerIdentityResolver>());
        Assert.Null(provider.GetService<IDelivery>()); // no delivery until a host registers one: runs report NotDelivered
        Assert.Equal(10, provider.GetRequiredService<IOptions<ExecutusOptions>>().Value.Attachments.MaxCount);
    }

    [Fact]
    public void A_host_registration_made_first_wins()
    {
        var services = new ServiceCollection();
        var delivery = new StdoutDelivery(TextWriter.Null);
        services.AddSingleton<IDelivery>(delivery);
        services.AddExecutus();

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(delivery, provider.GetRequiredService<IDelivery>());
    }

    [Fact]
    public void Builder_overrides_replace_defaults()
    {
        var config = new InMemoryConfigSource();
        var delivery = new StdoutDelivery(TextWriter.Null);
        var resolver = new FixedResolver();
        using ServiceProvider provider = new ServiceCollection()
            .AddExecutus()
            .UseConfigSource(config)
            .UseDelivery(delivery)
            .UseCallerIdentityResolver(resolver)
            .Services.BuildServiceProvider();

        Assert.Same(config, provider.GetRequiredService<IConfigSource>());
        Assert.Same(delivery, provider.GetRequiredService<IDelivery>());
        Assert.Same(resolver, provider.GetRequiredService<ICallerIdentityResolver>());
    }

    [Fact]
    public void IConfiguration_is_bridged_first_then_environment()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Executus:Attachments:MaxCount", "3"), new("Executus:Attachments:NameConflict", "Replace")])
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        using ServiceProvider provider = services.AddExecutus(o => o.Attachments.MaxTotalBytes = 99).Services.BuildServiceProvider();

        var source = Assert.IsType<CompositeConfigSource>(provider.GetRequiredService<IConfigSource>());
        Assert.IsType<ConfigurationConfigSource>(source.Sources[0]);
        Assert.IsType<EnvironmentConfigSource>(source.Sources[1]);

        ExecutusOptions options = provider.GetRequiredService<IOptions<ExecutusOptions>>().Value;
        Assert.Equal(3, options.Attachments.MaxCount);
        Assert.Equal(99, options.Attachments.MaxTotalBytes);
        Assert.Equal(Executus.Attachments.AttachmentNameConflict.Replace, options.Attachments.NameConflict);
    }

    [Fact]
    public void Malformed_option_values_fail_with_a_config_exception_naming_the_key()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddExecutus()
            .UseConfigSource(new InMemoryConfigSource([new("Executus:Attachments:MaxCount", "lots")]))
            .Services.BuildServiceProvider();

        var ex = Assert.Throws<ConfigException>(() => provider.GetRequiredService<IOptions<ExecutusOptions>>().Value);
        Assert.Equal("Executus:Attachments:MaxCount", ex.Key);
    }

    [Fact]
    public void Calling_AddExecutus_twice_registers_once()
    {
        var services = new ServiceCollection();
        services.AddExecutus();
        int count = services.Count;
        services.AddExecutus();
        Assert.Equal(count, services.Count);
    }

    private sealed class FixedResolver : ICallerIdentityResolver
    {
        public ValueTask<CallerIdentity> ResolveAsync(CallerResolutionContext context, CancellationToken cancellationToken = default) => ValueTask.FromResult(new CallerIdentity("u"));
    }
}
