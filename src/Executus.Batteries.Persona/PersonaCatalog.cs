using System.Text;
using Executus.Identity;
using Executus.Runs;

namespace Executus.Personas;

/// <summary>
/// The persona store seen as the kernel's <see cref="IAgentCatalog"/>: <c>run_agent</c> and checkpoint resume find
/// personas by name (and version), each turned into a <see cref="RunnableAgent"/> with the caller's personalization
/// added to its instructions. Names the store does not hold fall through to a fallback catalog (the agents added with
/// <c>AddAgent</c>).
/// </summary>
/// <remarks>
/// Inside a run the caller is the run's (<see cref="RunContext.Current"/>); a persona the caller may not use is not
/// found. A host starting a top-level run calls <see cref="GetForCallerAsync"/> with its caller.
/// </remarks>
public sealed class PersonaCatalog : IAgentCatalog
{
    private readonly IPersonaStore _store;
    private readonly IPersonalizationStore? _personalization;
    private readonly IAgentCatalog? _fallback;
    private readonly PersonaOptions _options;

    /// <summary>Initializes the catalog.</summary>
    /// <param name="store">The personas.</param>
    /// <param name="personalization">What is remembered per caller per persona; none when null.</param>
    /// <param name="fallback">A catalog asked for names the store does not hold; none when null.</param>
    /// <param name="options">Options; defaults when null.</param>
    public PersonaCatalog(IPersonaStore store, IPersonalizationStore? personalization = null, IAgentCatalog? fallback = null, PersonaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _personalization = personalization;
        _fallback = fallback;
        _options = options ?? new PersonaOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public async ValueTask<RunnableAgent?> GetAsync(string name, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        CallerIdentity caller = RunContext.Current?.Caller ?? CallerIdentity.Anonymous;
        Persona? persona = await _store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (persona is null)
        {
            return _fallback is null ? null : await _fallback.GetAsync(name, version, cancellationToken).ConfigureAwait(false);
        }

        if ((version is not null && !string.Equals(version, persona.Version, StringComparison.Ordinal)) || !persona.Allows(caller))
        {
            return null;
        }

        return await PersonalizeAsync(persona, caller, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Personas the current run's caller may not use are left out; fallback agents a persona shadows too.</remarks>
    public async ValueTask<IReadOnlyList<RunnableAgent>> ListAsync(CancellationToken cancellationToken = default)
    {
        CallerIdentity caller = RunContext.Current?.Caller ?? CallerIdentity.Anonymous;
        IReadOnlyList<Persona> personas = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        List<RunnableAgent> agents = [.. personas.Where(p => p.Allows(caller)).Select(p => p.ToRunnable())];
        if (_fallback is not null)
        {
            HashSet<string> names = new(personas.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
            agents.AddRange((await _fallback.ListAsync(cancellationToken).ConfigureAwait(false)).Where(a => !names.Contains(a.Name)));
        }

        return agents;
    }

    /// <summary>
    /// Gets the persona named <paramref name="name"/> as an agent for <paramref name="caller"/>, personalized: what a
    /// host calls before starting a top-level run.
    /// </summary>
    /// <param name="name">The persona's name (case-insensitive).</param>
    /// <param name="caller">The caller the run is for.</param>
    /// <param name="version">A version to require, or <see langword="null"/> for the current one.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agent, or <see langword="null"/> when the store has no such persona or version.</returns>
    /// <exception cref="PersonaAccessDeniedException">The caller may not use the persona.</exception>
    public async ValueTask<RunnableAgent?> GetForCallerAsync(string name, CallerIdentity caller, string? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(caller);
        Persona? persona = await _store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (persona is null || (version is not null && !string.Equals(version, persona.Version, StringComparison.Ordinal)))
        {
            return null;
        }

        return await CreateAgentAsync(persona, caller, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns <paramref name="persona"/> into an agent for <paramref name="caller"/>, with its personalization.</summary>
    /// <param name="persona">The persona.</param>
    /// <param name="caller">The caller the run is for.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The agent.</returns>
    /// <exception cref="PersonaAccessDeniedException">The caller may not use the persona.</exception>
    public async ValueTask<RunnableAgent> CreateAgentAsync(Persona persona, CallerIdentity caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persona);
        ArgumentNullException.ThrowIfNull(caller);
        if (!persona.Allows(caller))
        {
            throw new PersonaAccessDeniedException(persona.Name, caller.Id);
        }

        return await PersonalizeAsync(persona, caller, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RunnableAgent> PersonalizeAsync(Persona persona, CallerIdentity caller, CancellationToken cancellationToken)
    {
        RunnableAgent agent = persona.ToRunnable();
        if (_personalization is null || caller.IsAnonymous)
        {
            return agent;
        }

        IReadOnlyDictionary<string, string> entries = await _personalization.GetAsync(caller, persona.Name, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return agent;
        }

        string block = FormatPersonalization(caller, entries, _options.MaxPersonalizationChars);
        return agent with { Instructions = string.IsNullOrWhiteSpace(agent.Instructions) ? block : agent.Instructions + "\n\n" + block };
    }

    internal static string FormatPersonalization(CallerIdentity caller, IReadOnlyDictionary<string, string> entries, int maxChars)
    {
        const int MaxValueChars = 200;
        StringBuilder builder = new();
        builder.Append("What you remember about the person you are talking to (").Append(OneLine(caller.DisplayName, MaxValueChars)).Append("):");
        int shown = 0;
        foreach ((string key, string value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string line = $"\n- {OneLine(key, 64)}: {OneLine(value, MaxValueChars)}";
            // Why: keep room for the "more not shown" line so the block never exceeds its cap.
            if (builder.Length + line.Length > maxChars - 40)
            {
                break;
            }

            builder.Append(line);
            shown++;
        }

        if (shown < entries.Count)
        {
            builder.Append("\n- (").Append(entries.Count - shown).Append(" more not shown)");
        }

        return builder.ToString();
    }

    // Why: remembered values come from users; a newline in one must not start a new instruction line.
    private static string OneLine(string text, int max)
    {
        string flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= max ? flat : string.Concat(flat.AsSpan(0, max - 1), "…");
    }
}
