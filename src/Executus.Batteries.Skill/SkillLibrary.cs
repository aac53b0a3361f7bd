using System.Globalization;
using Executus.Auditing;
using Executus.Runs;

namespace Executus.Skills;

/// <summary>
/// Changes skills through an <see cref="ISkillStore"/> and audits each change (<see cref="AuditEventKind.SkillChanged"/>):
/// saving versions, activating, retiring, moving the active version (rolling back) and deleting.
/// </summary>
public sealed class SkillLibrary
{
    private readonly IAudit _audit;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes the library.</summary>
    /// <param name="store">The store.</param>
    /// <param name="audit">Where changes are audited; nowhere when null.</param>
    /// <param name="timeProvider">The clock for audit events; the system clock when null.</param>
    public SkillLibrary(ISkillStore store, IAudit? audit = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _audit = audit ?? NullAudit.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the store (for reads).</summary>
    public ISkillStore Store { get; }

    /// <summary>Saves a new version of a skill; with <paramref name="activate"/>, makes it the active version and the skill active.</summary>
    /// <param name="tenant">The tenant scope (null: shared).</param>
    /// <param name="skill">The content.</param>
    /// <param name="activate">Whether to activate the new version at once.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The new version.</returns>
    public async ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, bool activate = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skill);
        SkillVersion saved = await Store.SaveAsync(tenant, skill, cancellationToken).ConfigureAwait(false);
        await AuditAsync(tenant, skill.Name, "saved", $"saved version {saved.Version}", saved.Version, null, null, cancellationToken).ConfigureAwait(false);
        if (activate)
        {
            await SetActiveVersionAsync(tenant, skill.Name, saved.Version, cancellationToken).ConfigureAwait(false);
            await SetStateAsync(tenant, skill.Name, SkillState.Active, cancellationToken).ConfigureAwait(false);
        }

        return saved;
    }

    /// <summary>Moves a skill to <paramref name="state"/>, auditing the transition (an unchanged state is not audited).</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="state">The new state.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information after the change.</returns>
    /// <exception cref="SkillNotFoundException">No such skill.</exception>
    /// <exception cref="SkillLifecycleException">The lifecycle forbids the move.</exception>
    public async ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        SkillInfo before = await Store.GetInfoAsync(tenant, name, cancellationToken).ConfigureAwait(false) ?? throw new SkillNotFoundException(tenant, name);
        SkillInfo after = await Store.SetStateAsync(tenant, name, state, cancellationToken).ConfigureAwait(false);
        if (before.State != after.State)
        {
            await AuditAsync(
                tenant, name, "state", $"{Lower(before.State)} -> {Lower(after.State)}", after.ActiveVersion, Lower(before.State), Lower(after.State), cancellationToken).ConfigureAwait(false);
        }

        return after;
    }

    /// <summary>Makes a skill active (offered to models).</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information.</returns>
    public ValueTask<SkillInfo> ActivateAsync(string? tenant, string name, CancellationToken cancellationToken = default) =>
        SetStateAsync(tenant, name, SkillState.Active, cancellationToken);

    /// <summary>Retires a skill (no longer offered to models; its versions stay readable).</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information.</returns>
    public ValueTask<SkillInfo> RetireAsync(string? tenant, string name, CancellationToken cancellationToken = default) =>
        SetStateAsync(tenant, name, SkillState.Retired, cancellationToken);

    /// <summary>Makes <paramref name="version"/> the active version, auditing the move (rolling back is moving to an older one).</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="version">An existing version.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information after the change.</returns>
    /// <exception cref="SkillNotFoundException">No such skill or version.</exception>
    public async ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        SkillInfo before = await Store.GetInfoAsync(tenant, name, cancellationToken).ConfigureAwait(false) ?? throw new SkillNotFoundException(tenant, name);
        SkillInfo after = await Store.SetActiveVersionAsync(tenant, name, version, cancellationToken).ConfigureAwait(false);
        if (before.ActiveVersion != after.ActiveVersion)
        {
            string from = before.ActiveVersion.ToString(CultureInfo.InvariantCulture);
            string to = after.ActiveVersion.ToString(CultureInfo.InvariantCulture);
            await AuditAsync(tenant, name, "active-version", $"active version {from} -> {to}", after.ActiveVersion, from, to, cancellationToken).ConfigureAwait(false);
        }

        return after;
    }

    /// <summary>Rolls a skill back (or forward) to <paramref name="version"/>: the same as <see cref="SetActiveVersionAsync"/>.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="version">An existing version.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information after the change.</returns>
    public ValueTask<SkillInfo> RollBackAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default) =>
        SetActiveVersionAsync(tenant, name, version, cancellationToken);

    /// <summary>Deletes a skill with its versions, auditing it.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when deleted.</returns>
    public async ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool deleted = await Store.DeleteAsync(tenant, name, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            await AuditAsync(tenant, name, "deleted", "deleted", null, null, null, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    private async ValueTask AuditAsync(
        string? tenant, string name, string change, string detail, int? version, string? from, string? to, CancellationToken cancellationToken)
    {
        Dictionary<string, string> data = new(StringComparer.Ordinal) { ["skill"] = name, ["change"] = change };
        if (tenant is not null)
        {
            data["tenant"] = tenant;
        }

        if (version is { } v)
        {
            data["version"] = v.ToString(CultureInfo.InvariantCulture);
        }

        if (from is not null)
        {
            data["from"] = from;
        }

        if (to is not null)
        {
            data["to"] = to;
        }

        RunContext? run = RunContext.Current;
        await _audit.RecordAsync(
            new AuditEvent(AuditEventKind.SkillChanged, _timeProvider.GetUtcNow())
            {
                RunId = run?.RunId,
                AgentName = run?.Agent.Name,
                Caller = run?.Caller,
                Detail = $"skill '{name}': {detail}",
                Data = data,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static string Lower(SkillState state) => state switch
    {
        SkillState.Draft => "draft",
        SkillState.Active => "active",
        _ => "retired",
    };
}
