namespace Executus.Skills;

/// <summary>A skill's lifecycle state: draft → active → retired (and back to active).</summary>
public enum SkillState
{
    /// <summary>Being written: readable, not offered to models.</summary>
    Draft,

    /// <summary>Offered to models (in the skills catalog, loadable with <c>load_skill</c>).</summary>
    Active,

    /// <summary>No longer offered to models; its versions stay readable.</summary>
    Retired,
}
