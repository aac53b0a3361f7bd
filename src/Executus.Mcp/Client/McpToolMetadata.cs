using Executus.Tooling;
using ModelContextProtocol.Protocol;

namespace Executus.Mcp;

/// <summary>Derives Executus's <see cref="ToolMetadata"/> from MCP tool annotations, then applies the host's overrides.</summary>
internal static class McpToolMetadata
{
    /// <summary>The <see cref="ToolMetadata.Category"/> of every MCP tool: <c>mcp:{server}</c>.</summary>
    public static string Category(string serverName) => "mcp:" + serverName;

    /// <remarks>
    /// MCP's defaults (spec 2025-06-18, ToolAnnotations): readOnlyHint false, destructiveHint true, idempotentHint false,
    /// openWorldHint true — an unannotated tool is treated as a destructive, external, non-repeatable one.
    /// readOnly → Read, no approval, safe to repeat; otherwise openWorld → External, else Write; destructive → needs
    /// approval; idempotent → safe to repeat.
    /// </remarks>
    public static ToolMetadata From(ToolAnnotations? annotations, McpServerDefinition server, McpToolOverride? overrides)
    {
        bool readOnly = annotations?.ReadOnlyHint ?? false;
        bool destructive = !readOnly && (annotations?.DestructiveHint ?? true);
        bool idempotent = readOnly || (annotations?.IdempotentHint ?? false);
        bool openWorld = annotations?.OpenWorldHint ?? true;
        SideEffect sideEffect = readOnly ? SideEffect.Read : openWorld ? SideEffect.External : SideEffect.Write;

        return new ToolMetadata
        {
            Category = Category(server.Name),
            SideEffect = overrides?.SideEffect ?? sideEffect,
            NeedsApproval = overrides?.NeedsApproval ?? destructive,
            SafeToRepeat = overrides?.SafeToRepeat ?? idempotent,
            RequiredScopes = overrides is { RequiredScopes.Count: > 0 } ? [.. overrides.RequiredScopes] : [.. server.RequiredScopes],
            RequiredRoles = overrides is { RequiredRoles.Count: > 0 } ? [.. overrides.RequiredRoles] : [.. server.RequiredRoles],
            Validators = overrides is null ? [] : [.. overrides.Validators],
        };
    }
}
