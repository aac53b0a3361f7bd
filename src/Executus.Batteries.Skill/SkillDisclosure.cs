using System.Globalization;
using System.Text;
using Executus.Identity;
using Executus.Runs;

namespace Executus.Skills;

/// <summary>
/// Progressive disclosure of skills: a bounded catalog (one line per active skill the caller's tenant may use) goes
/// into a run's instructions; the model then loads a skill's body with <c>load_skill</c> and its files with
/// <c>read_skill_resource</c> (<see cref="SkillTools"/>).
/// </summary>
/// <remarks>
/// A host calls <see cref="PrepareAsync"/> on the agent before starting the run: it appends the catalog, adds the two
/// tools to the agent's tools, and records version pins in the agent's metadata (<see cref="SkillPins"/>).
/// </remarks>
public sealed class SkillDisclosure
{
    private readonly ISkillStore _store;
    private readonly SkillOptions _options;

    /// <summary>Initializes the disclosure.</summary>
    /// <param name="store">The skills.</param>
    /// <param name="options">Options; defaults when null.</param>
    public SkillDisclosure(ISkillStore store, SkillOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new SkillOptions();
        _options.Validate();
    }

    /// <summary>Gets the options.</summary>
    public SkillOptions Options => _options;

    /// <summary>
    /// Prepares <paramref name="agent"/> for a run on behalf of <paramref name="caller"/>: pins, the skills catalog in
    /// its instructions, and the <c>load_skill</c>/<c>read_skill_resource</c> tools. With no active skill, only the pins
    /// are added.
    /// </summary>
    /// <param name="agent">The agent.</param>
    /// <param name="caller">The caller (its tenant scopes the skills).</param>
    /// <param name="pins">Skill name → version to pin for this run, if any.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The prepared agent.</returns>
    public async ValueTask<RunnableAgent> PrepareAsync(
        RunnableAgent agent,
        CallerIdentity caller,
        IEnumerable<KeyValuePair<string, int>>? pins = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(caller);
        RunnableAgent pinned = pins is null ? agent : SkillPins.Pin(agent, pins);
        string? catalog = await BuildCatalogAsync(caller, pinned, cancellationToken).ConfigureAwait(false);
        if (catalog is null)
        {
            return pinned;
        }

        List<string> tools = [.. pinned.Tools];
        foreach (string tool in (ReadOnlySpan<string>)[SkillToolNames.LoadSkill, SkillToolNames.ReadSkillResource])
        {
            if (!tools.Contains(tool, StringComparer.Ordinal) && !tools.Contains("*", StringComparer.Ordinal))
            {
                tools.Add(tool);
            }
        }

        return pinned with
        {
            Instructions = string.IsNullOrWhiteSpace(pinned.Instructions) ? catalog : pinned.Instructions + "\n\n" + catalog,
            Tools = tools,
        };
    }

    /// <summary>Builds the skills catalog for <paramref name="caller"/>: a header and one line per active skill, bounded.</summary>
    /// <param name="caller">The caller (its tenant scopes the skills).</param>
    /// <param name="agent">The agent whose pins choose which version's description is shown; none when null.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The catalog text, or <see langword="null"/> when no skill is active.</returns>
    public async ValueTask<string?> BuildCatalogAsync(CallerIdentity caller, RunnableAgent? agent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        IReadOnlyList<(string? Scope, SkillInfo Info)> offered = await ListOfferedAsync(caller, cancellationToken).ConfigureAwait(false);
        if (offered.Count == 0)
        {
            return null;
        }

        StringBuilder builder = new();
        builder.Append("## Skills\nSkills are instructions for particular tasks, loaded on demand. When a task matches a skill, call ")
            .Append(SkillToolNames.LoadSkill).Append(" with its name before you start; call ").Append(SkillToolNames.ReadSkillResource)
            .Append(" for a file the skill names.");
        const int Reserve = 48;
        int listed = 0;
        foreach ((string? scope, SkillInfo info) in offered)
        {
            string description = info.Description;
            if (agent is not null && SkillPins.Get(agent, info.Name) is { } pin && pin != info.ActiveVersion &&
                await _store.GetAsync(scope, info.Name, pin, cancellationToken).ConfigureAwait(false) is { } pinnedVersion)
            {
                description = pinnedVersion.Skill.Description;
            }

            string line = $"\n- {info.Name}: {OneLine(description, _options.MaxCatalogDescriptionChars)}";
            // Why: keep room for the "not listed" line so the catalog never exceeds its cap.
            if (builder.Length + line.Length > _options.MaxCatalogChars - Reserve)
            {
                break;
            }

            builder.Append(line);
            listed++;
        }

        if (listed < offered.Count)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n({offered.Count - listed} more skills not listed)");
        }

        return builder.ToString();
    }

    /// <summary>Finds the version of an active skill a run should get: the pinned one, else the active one.</summary>
    internal async ValueTask<SkillVersion> ResolveAsync(CallerIdentity caller, string name, int? pin, CancellationToken cancellationToken)
    {
        (string? scope, SkillInfo? info) = await FindAsync(caller, name, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            IReadOnlyList<(string? Scope, SkillInfo Info)> offered = await ListOfferedAsync(caller, cancellationToken).ConfigureAwait(false);
            string known = offered.Count == 0 ? "none" : string.Join(", ", offered.Take(20).Select(o => o.Info.Name));
            throw new SkillToolException($"there is no skill named '{name}'. Available skills: {known}");
        }

        if (info.State != SkillState.Active)
        {
            throw new SkillToolException($"skill '{info.Name}' is {info.State.ToString().ToLowerInvariant()} and not available");
        }

        int version = pin ?? info.ActiveVersion;
        return await _store.GetAsync(scope, info.Name, version, cancellationToken).ConfigureAwait(false)
            ?? throw new SkillToolException(string.Create(CultureInfo.InvariantCulture, $"skill '{info.Name}' has no version {version}"));
    }

    private async ValueTask<(string? Scope, SkillInfo? Info)> FindAsync(CallerIdentity caller, string name, CancellationToken cancellationToken)
    {
        string? tenant = caller.TenantKey;
        SkillInfo? info = await _store.GetInfoAsync(tenant, name, cancellationToken).ConfigureAwait(false);
        if (info is null && tenant is not null && _options.IncludeSharedSkills)
        {
            return (null, await _store.GetInfoAsync(null, name, cancellationToken).ConfigureAwait(false));
        }

        return (tenant, info);
    }

    private async ValueTask<IReadOnlyList<(string? Scope, SkillInfo Info)>> ListOfferedAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        string? tenant = caller.TenantKey;
        SortedDictionary<string, (string?, SkillInfo)> offered = new(StringComparer.Ordinal);
        if (tenant is null || _options.IncludeSharedSkills)
        {
            await foreach (SkillInfo info in ActiveAsync(null, cancellationToken).ConfigureAwait(false))
            {
                offered[info.Name] = (null, info);
            }
        }

        if (tenant is not null)
        {
            // Why: the tenant's own skill wins over a shared one of the same name.
            await foreach (SkillInfo info in ActiveAsync(tenant, cancellationToken).ConfigureAwait(false))
            {
                offered[info.Name] = (tenant, info);
            }
        }

        return [.. offered.Values];
    }

    private async IAsyncEnumerable<SkillInfo> ActiveAsync(string? tenant, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            SkillPage page = await _store.ListAsync(tenant, SkillState.Active, cursor, 100, cancellationToken).ConfigureAwait(false);
            foreach (SkillInfo info in page.Items)
            {
                yield return info;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private static string OneLine(string text, int max)
    {
        string flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= max ? flat : string.Concat(flat.AsSpan(0, max - 1), "…");
    }
}
