namespace Executus.Skills;

/// <summary>
/// The skill store seam, kept lean: versions (every save is a new immutable version, one is active), the lifecycle
/// state, listing and deletion. Every call is scoped by tenant: a store never returns one tenant's skills to another
/// (null is the shared scope, itself separate from every tenant). The default is <see cref="InMemorySkillStore"/>.
/// </summary>
/// <remarks>
/// Lifecycle and audit: <see cref="SkillLibrary"/> wraps a store and audits every change; hosts change skills through
/// it. Implementations are thread-safe and enforce <see cref="SkillLifecycle"/>.
/// </remarks>
public interface ISkillStore
{
    /// <summary>Gets a version of a skill.</summary>
    /// <param name="tenant">The tenant scope (null: shared).</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="version">The version, or <see langword="null"/> for the active version.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The version, or <see langword="null"/> when the skill or the version does not exist.</returns>
    ValueTask<SkillVersion?> GetAsync(string? tenant, string name, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>Gets what the store knows about a skill.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The information, or <see langword="null"/> when there is no such skill.</returns>
    ValueTask<SkillInfo?> GetInfoAsync(string? tenant, string name, CancellationToken cancellationToken = default);

    /// <summary>Lists skills by name, a page at a time.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="state">Only skills in this state, or every state when null.</param>
    /// <param name="cursor">The cursor of the previous page's <see cref="SkillPage.NextCursor"/>, or null for the first page.</param>
    /// <param name="limit">The largest page (at least 1).</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The page.</returns>
    ValueTask<SkillPage> ListAsync(string? tenant, SkillState? state = null, string? cursor = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Lists every version of a skill, oldest first.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The versions; empty when there is no such skill.</returns>
    ValueTask<IReadOnlyList<SkillVersion>> ListVersionsAsync(string? tenant, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="skill"/> as a new version. A new skill starts as <see cref="SkillState.Draft"/> with
    /// this version active; for an existing skill the active version does not move.
    /// </summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="skill">The content.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The new version.</returns>
    ValueTask<SkillVersion> SaveAsync(string? tenant, Skill skill, CancellationToken cancellationToken = default);

    /// <summary>Makes <paramref name="version"/> the active version (also how a skill is rolled back).</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="version">An existing version.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information after the change.</returns>
    /// <exception cref="SkillNotFoundException">The skill or the version does not exist.</exception>
    ValueTask<SkillInfo> SetActiveVersionAsync(string? tenant, string name, int version, CancellationToken cancellationToken = default);

    /// <summary>Moves the skill to <paramref name="state"/>.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="state">The new state.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The skill's information after the change.</returns>
    /// <exception cref="SkillNotFoundException">The skill does not exist.</exception>
    /// <exception cref="SkillLifecycleException">The lifecycle forbids the move.</exception>
    ValueTask<SkillInfo> SetStateAsync(string? tenant, string name, SkillState state, CancellationToken cancellationToken = default);

    /// <summary>Deletes a skill with all its versions.</summary>
    /// <param name="tenant">The tenant scope.</param>
    /// <param name="name">The skill's name.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns><see langword="true"/> when a skill was deleted.</returns>
    ValueTask<bool> DeleteAsync(string? tenant, string name, CancellationToken cancellationToken = default);
}
