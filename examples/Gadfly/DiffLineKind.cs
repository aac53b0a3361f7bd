namespace Gadfly;

/// <summary>What a line of a hunk is.</summary>
public enum DiffLineKind
{
    /// <summary>An unchanged line shown for context (prefix space).</summary>
    Context,

    /// <summary>A line the change adds (prefix <c>+</c>).</summary>
    Added,

    /// <summary>A line the change removes (prefix <c>-</c>).</summary>
    Removed,
}
