using System.Diagnostics.CodeAnalysis;
using Executus;
using Executus.Auditing;
using Executus.Deliver;
using Executus.Models;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Plugs run ports and model resolution into the <see cref="Executor"/> that <c>AddExecutus</c> registers. Every port
/// has three forms: an instance, a type built by the container (<c>UseBudget&lt;T&gt;()</c>, for a battery with its own
/// dependencies), and a factory (<c>UseBudget(sp =&gt; …)</c>). Each replaces the port's registration (observers add).
/// </summary>
public static class RunsBuilderExtensions
{
    /// <summary>Uses <paramref name="budget"/> as the budget port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="budget">The budget.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseBudget(this IExecutusBuilder builder, IBudget budget) => Replace(builder, budget);

    /// <summary>Uses a <typeparamref name="TBudget"/> built by the container as the budget port.</summary>
    /// <typeparam name="TBudget">The budget type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseBudget<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TBudget>(this IExecutusBuilder builder)
        where TBudget : class, IBudget => Replace<IBudget, TBudget>(builder);

    /// <summary>Uses the budget <paramref name="factory"/> creates as the budget port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the budget from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseBudget(this IExecutusBuilder builder, Func<IServiceProvider, IBudget> factory) => Replace(builder, factory);

    /// <summary>Uses <paramref name="checkpointer"/> as the checkpoint port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="checkpointer">The checkpointer.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCheckpointer(this IExecutusBuilder builder, ICheckpointer checkpointer) => Replace(builder, checkpointer);

    /// <summary>Uses a <typeparamref name="TCheckpointer"/> built by the container as the checkpoint port.</summary>
    /// <typeparam name="TCheckpointer">The checkpointer type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCheckpointer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TCheckpointer>(this IExecutusBuilder builder)
        where TCheckpointer : class, ICheckpointer => Replace<ICheckpointer, TCheckpointer>(builder);

    /// <summary>Uses the checkpointer <paramref name="factory"/> creates as the checkpoint port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the checkpointer from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCheckpointer(this IExecutusBuilder builder, Func<IServiceProvider, ICheckpointer> factory) => Replace(builder, factory);

    /// <summary>Uses <paramref name="critic"/> as the critic port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="critic">The critic.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCritic(this IExecutusBuilder builder, ICritic critic) => Replace(builder, critic);

    /// <summary>Uses a <typeparamref name="TCritic"/> built by the container as the critic port.</summary>
    /// <typeparam name="TCritic">The critic type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCritic<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TCritic>(this IExecutusBuilder builder)
        where TCritic : class, ICritic => Replace<ICritic, TCritic>(builder);

    /// <summary>Uses the critic <paramref name="factory"/> creates as the critic port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the critic from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCritic(this IExecutusBuilder builder, Func<IServiceProvider, ICritic> factory) => Replace(builder, factory);

    /// <summary>Uses <paramref name="audit"/> as the audit port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="audit">The audit.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseAudit(this IExecutusBuilder builder, IAudit audit) => Replace(builder, audit);

    /// <summary>Uses a <typeparamref name="TAudit"/> built by the container as the audit port.</summary>
    /// <typeparam name="TAudit">The audit type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseAudit<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TAudit>(this IExecutusBuilder builder)
        where TAudit : class, IAudit => Replace<IAudit, TAudit>(builder);

    /// <summary>Uses the audit <paramref name="factory"/> creates as the audit port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the audit from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseAudit(this IExecutusBuilder builder, Func<IServiceProvider, IAudit> factory) => Replace(builder, factory);

    /// <summary>Uses a <typeparamref name="TPaletteSource"/> built by the container for stage 1 of the tool permissions.</summary>
    /// <typeparam name="TPaletteSource">The palette source type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UsePaletteSource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPaletteSource>(this IExecutusBuilder builder)
        where TPaletteSource : class, IPaletteSource => Replace<IPaletteSource, TPaletteSource>(builder);

    /// <summary>Uses the palette source <paramref name="factory"/> creates for stage 1 of the tool permissions.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the palette source from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UsePaletteSource(this IExecutusBuilder builder, Func<IServiceProvider, IPaletteSource> factory) => Replace(builder, factory);

    /// <summary>Uses a <typeparamref name="TDelivery"/> built by the container for run output.</summary>
    /// <typeparam name="TDelivery">The delivery type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseDelivery<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDelivery>(this IExecutusBuilder builder)
        where TDelivery : class, IDelivery => Replace<IDelivery, TDelivery>(builder);

    /// <summary>Uses the delivery <paramref name="factory"/> creates for run output.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the delivery from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseDelivery(this IExecutusBuilder builder, Func<IServiceProvider, IDelivery> factory) => Replace(builder, factory);

    /// <summary>Adds an observer of every run's events.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="observer">The observer.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddRunObserver(this IExecutusBuilder builder, IRunObserver observer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(observer);
        builder.Services.AddSingleton(observer);
        return builder;
    }

    /// <summary>Adds a <typeparamref name="TObserver"/> built by the container as an observer of every run's events (once per type).</summary>
    /// <typeparam name="TObserver">The observer type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddRunObserver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TObserver>(this IExecutusBuilder builder)
        where TObserver : class, IRunObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunObserver, TObserver>());
        return builder;
    }

    /// <summary>Adds the observer <paramref name="factory"/> creates as an observer of every run's events.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the observer from the container.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder AddRunObserver(this IExecutusBuilder builder, Func<IServiceProvider, IRunObserver> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Uses <paramref name="resolver"/> to pick each agent's chat client, replacing tier resolution.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseModelResolver(this IExecutusBuilder builder, IAgentModelResolver resolver) => Replace(builder, resolver);

    /// <summary>
    /// Runs every agent on <paramref name="client"/> (a fixed model, e.g. a scripted one in tests), replacing tier
    /// resolution. Like a tier's candidates, the client is wrapped in M.E.AI's OpenTelemetry client (GenAI chat spans;
    /// contents per <c>Executus:Telemetry:EnableSensitiveData</c>) unless it already carries one, and its calls go
    /// through the accounting channel: the container's usage sink sees them and the run's budget checks them under
    /// <paramref name="model"/> (from the client's metadata when null).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="client">The chat client; it must not invoke functions itself.</param>
    /// <param name="model">The <c>provider:model</c> reference budgets see, if the client's metadata is not right.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseChatClient(this IExecutusBuilder builder, IChatClient client, ModelReference? model = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        builder.Services.Replace(ServiceDescriptor.Singleton<IAgentModelResolver>(sp =>
            new FixedModelResolver(ModelsServiceCollectionExtensions.WithOpenTelemetry(client, sp), model, sp.GetService<IUsageSink>(), sp.GetService<TimeProvider>())));
        return builder;
    }

    private static IExecutusBuilder Replace<T>(IExecutusBuilder builder, T instance)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(instance);
        builder.Services.Replace(ServiceDescriptor.Singleton(instance));
        return builder;
    }

    private static IExecutusBuilder Replace<T>(IExecutusBuilder builder, Func<IServiceProvider, T> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    private static IExecutusBuilder Replace<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IExecutusBuilder builder)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<TService, TImplementation>());
        return builder;
    }
}
