namespace Executus.Tooling;

/// <summary>
/// What a permission port (an <see cref="IPaletteSource"/>, an <see cref="IToolArgumentValidator"/>) answers: allow,
/// or deny with a readable reason. The toolbox turns a denial into a <see cref="ToolDenial"/> with stage and tool.
/// </summary>
public readonly record struct PermissionDecision
{
    private PermissionDecision(string? reason) => Reason = reason;

    /// <summary>Gets the allowing decision.</summary>
    public static PermissionDecision Allow => default;

    /// <summary>Gets whether the decision allows.</summary>
    public bool IsAllowed => Reason is null;

    /// <summary>Gets the denial reason, or <see langword="null"/> when allowed.</summary>
    public string? Reason { get; }

    /// <summary>Creates a denying decision.</summary>
    /// <param name="reason">A readable reason (shown to the model and recorded to audit).</param>
    /// <returns>The decision.</returns>
    public static PermissionDecision Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(reason);
    }
}
