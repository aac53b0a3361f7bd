using Executus.Identity;
using Executus.Personas;
using Executus.Runs;
using Executus.Skills;

namespace Executus.Batteries;

/// <summary>
/// Makes the agent for one run the way the batteries want it: the persona for this caller (access check and
/// personalization, <see cref="PersonaCatalog.GetForCallerAsync"/>), else the catalog's agent, then the skills catalog
/// and skill tools (<see cref="SkillDisclosure.PrepareAsync"/>). A host calls it before <c>Executor.RunAsync</c>,
/// because the kernel has no run-start hook.
/// </summary>
public sealed class BatteryAgentFactory
{
    private readonly BatteriesOptions _options;
    private readonly IAgentCatalog _catalog;
    private readonly PersonaCatalog? _personas;
    private readonly SkillDisclosure? _skills;

    /// <summary>Initializes the factory.</summary>
    /// <param name="options">Which batteries are on.</param>
    /// <param name="catalog">The agent catalog (agents that are not personas).</param>
    /// <param name="personas">The persona catalog, when the Persona battery is registered.</param>
    /// <param name="skills">The skill disclosure, when the Skill battery is registered.</param>
    public BatteryAgentFactory(BatteriesOptions options, IAgentCatalog catalog, PersonaCatalog? personas = null, SkillDisclosure? skills = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        _options = options;
        _catalog = catalog;
        _personas = personas;
        _skills = skills;
    }

    /// <summary>Creates the agent named <paramref name="agentName"/> for a run on behalf of <paramref name="caller"/>.</summary>
    /// <param name="agentName">The persona or agent name.</param>
    /// <param name="caller">The caller the run is for.</param>
    /// <param name="skillPins">Skill name → version to pin for this run, if any.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agent, or <see langword="null"/> when no persona or agent has that name.</returns>
    /// <exception cref="PersonaAccessDeniedException">The caller may not use the persona.</exception>
    public async ValueTask<RunnableAgent?> CreateAsync(
        string agentName,
        CallerIdentity caller,
        IEnumerable<KeyValuePair<string, int>>? skillPins = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        ArgumentNullException.ThrowIfNull(caller);
        RunnableAgent? agent = null;
        if (_options.Persona && _personas is not null)
        {
            agent = await _personas.GetForCallerAsync(agentName, caller, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        agent ??= await _catalog.GetAsync(agentName, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (agent is null)
        {
            return null;
        }

        if (_options.Skill && _skills is not null)
        {
            agent = await _skills.PrepareAsync(agent, caller, skillPins, cancellationToken).ConfigureAwait(false);
        }

        return agent;
    }
}
