using Executus;
using Executus.Runs;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds agents to the default <see cref="IAgentCatalog"/>.</summary>
public static class AgentCatalogBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="agent"/> to the agent catalog, so it can be run by name (e.g. as a sub-agent). Adding
    /// another <see cref="RunnableAgent.Version"/> of a name makes it the current version.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="agent">The agent.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An agent with the same name (case-insensitive) and version was already added.</exception>
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
                string.Equals(existing.Name, agent.Name, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(existing.Version, agent.Version, StringComparison.Ordinal))
            {
                throw new ArgumentException($"An agent named '{agent.Name}' was already added in the same version; agent names must be unique (case-insensitive) per version.", nameof(agent));
            }
        }

        builder.Services.AddSingleton(agent);
        return builder;
    }
}
