namespace Executus.Tooling;

/// <summary>The three permission stages a tool call passes.</summary>
public enum PermissionStage
{
    /// <summary>Stage 1, at run start: which tools this agent can see (agent allow-list ∩ registry ∩ <see cref="IPaletteSource"/>).</summary>
    Palette,

    /// <summary>Stage 2, at run start: which of those this caller may use (roles and scopes vs the tool's requirements).</summary>
    Caller,

    /// <summary>Stage 3, per call: the actual call (known tool, well-formed arguments, validators, approval).</summary>
    Invocation,
}
