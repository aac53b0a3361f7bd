using Executus.Identity;
using Executus.Tooling;

namespace Executus.Personas;

/// <summary>
/// The palette port (stage 1) for personas: a persona's tools are its palette. A run of an agent named like a persona
/// sees only the tools the persona lists, and nothing when the caller may not use the persona; other agents are left
/// to the inner palette source.
/// </summary>
public sealed class PersonaPaletteSource : IPaletteSource
{
    private readonly IPersonaStore _store;
    private readonly IPaletteSource _inner;

    /// <summary>Initializes the palette source.</summary>
    /// <param name="store">The personas.</param>
    /// <param name="inner">The palette source asked next (and for agents that are not personas); allow-all when null.</param>
    public PersonaPaletteSource(IPersonaStore store, IPaletteSource? inner = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _inner = inner ?? AllowAllPaletteSource.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(caller);
        Persona? persona = await _store.GetAsync(agentName, cancellationToken).ConfigureAwait(false);
        if (persona is not null)
        {
            if (!persona.HasTool(tool.Name))
            {
                return PermissionDecision.Deny($"tool '{tool.Name}' is not in the palette of persona '{persona.Name}' (its tools list)");
            }

            if (!persona.Allows(caller))
            {
                return PermissionDecision.Deny($"caller '{caller.Id}' may not use persona '{persona.Name}'");
            }
        }

        return await _inner.CheckAsync(agentName, tool, caller, cancellationToken).ConfigureAwait(false);
    }
}
