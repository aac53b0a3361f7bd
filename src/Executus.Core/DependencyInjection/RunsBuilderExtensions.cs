using Executus;
using Executus.Auditing;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs run ports and model resolution into the <see cref="Executor"/> that <c>AddExecutus</c> registers.</summary>
public static class RunsBuilderExtensions
{
    /// <summary>Uses <paramref name="budget"/> as the budget port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="budget">The budget.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseBudget(this IExecutusBuilder builder, IBudget budget) => Replace(builder, budget);

    /// <summary>Uses <paramref name="checkpointer"/> as the checkpoint port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="checkpointer">The checkpointer.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCheckpointer(this IExecutusBuilder builder, ICheckpointer checkpointer) => Replace(builder, checkpointer);

    /// <summary>Uses <paramref name="critic"/> as the critic port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="critic">The critic.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseCritic(this IExecutusBuilder builder, ICritic critic) => Replace(builder, critic);

    /// <summary>Uses <paramref name="audit"/> as the audit port.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="audit">The audit.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseAudit(this IExecutusBuilder builder, IAudit audit) => Replace(builder, audit);

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

    /// <summary>Uses <paramref name="resolver"/> to pick each agent's chat client, replacing tier resolution.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="resolver">The resolver.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseModelResolver(this IExecutusBuilder builder, IAgentModelResolver resolver) => Replace(builder, resolver);

    /// <summary>
    /// Runs every agent on <paramref name="client"/> (a fixed model, e.g. a scripted one in tests), replacing tier
    /// resolution. Like a tier's candidates, the client is wrapped in M.E.AI's OpenTelemetry client (GenAI chat spans;
    /// contents per <c>Executus:Telemetry:EnableSensitiveData</c>) unless it already carries one.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="client">The chat client; it must not invoke functions itself.</param>
    /// <returns>The builder.</returns>
    public static IExecutusBuilder UseChatClient(this IExecutusBuilder builder, IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        builder.Services.Replace(ServiceDescriptor.Singleton<IAgentModelResolver>(
            sp => new FixedModelResolver(ModelsServiceCollectionExtensions.WithOpenTelemetry(client, sp))));
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
}
