using Executus;
using Executus.Runs;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds agents to the default <see cref="IAgentCatalog"/>.</summary>
public static class AgentCatalogBuilderExtensions
{
    /// <summary>Adds <paramref name="agent"/> to the agent catalog, so it can be run by name (e.g. as a sub-agent).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="agent">The agent.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An agent with the same name (case-insensitive) was already added.</exception>
    public static IExecutusBuilder AddAgent(this IExecutusBuilder builder, RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(agent);
        agent.Validate();
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(RunnableAgent) &&
                !descriptor.IsKeyedService &&
                descriptor.ImplementationInstance is RunnableAgent existing &&
                string.Equals(existing.Name, agent.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"An agent named '{agent.Name}' was already added; agent names must be unique (case-insensitive).", nameof(agent));
            }
        }

        builder.Services.AddSingleton(agent);
        return builder;
    }
}
