namespace Executus.Skills;

/// <summary>Options of the skill battery's progressive disclosure.</summary>
public sealed class SkillOptions
{
    /// <summary>
    /// Gets or sets the cap, in characters, on the skills catalog added to a run's instructions (one line per active
    /// skill; skills that do not fit are counted, not listed). Default 4000 (about 1000 tokens).
    /// </summary>
    public int MaxCatalogChars { get; set; } = 4000;

    /// <summary>Gets or sets the cap on one skill's description in the catalog (longer ones are cut with '…'). Default 200.</summary>
    public int MaxCatalogDescriptionChars { get; set; } = 200;

    /// <summary>Gets or sets the cap on the text <c>read_skill_resource</c> returns (longer text is cut, visibly). Default 32,000.</summary>
    public int MaxResourceChars { get; set; } = 32_000;

    /// <summary>
    /// Gets or sets whether a caller with a tenant also sees the shared (null-tenant) skills, e.g. those loaded from a
    /// folder; the tenant's own skill wins on a name clash. Default true. Tenants never see each other's skills.
    /// </summary>
    public bool IncludeSharedSkills { get; set; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCatalogChars, 200, nameof(MaxCatalogChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCatalogDescriptionChars, 20, nameof(MaxCatalogDescriptionChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResourceChars, 100, nameof(MaxResourceChars));
    }
}
