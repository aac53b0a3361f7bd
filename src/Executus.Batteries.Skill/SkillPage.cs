namespace Executus.Skills;

/// <summary>One page of a skill listing.</summary>
/// <param name="Items">The skills, ordered by name (ordinal).</param>
/// <param name="NextCursor">The cursor for the next page, or <see langword="null"/> when this is the last.</param>
public sealed record SkillPage(IReadOnlyList<SkillInfo> Items, string? NextCursor);
