namespace Executus.Skills;

/// <summary>What a store knows about a skill apart from its versions' content.</summary>
/// <param name="Tenant">The tenant scope (null: shared).</param>
/// <param name="Name">The skill's name.</param>
/// <param name="State">The lifecycle state.</param>
/// <param name="ActiveVersion">The active version (what a run gets unless it pins another).</param>
/// <param name="LatestVersion">The newest version.</param>
/// <param name="Description">The active version's description.</param>
/// <param name="CreatedAt">When the first version was saved.</param>
/// <param name="UpdatedAt">When the skill last changed (a save, the active pointer, the state).</param>
public sealed record SkillInfo(
    string? Tenant,
    string Name,
    SkillState State,
    int ActiveVersion,
    int LatestVersion,
    string Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
