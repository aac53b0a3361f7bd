using Executus.Tooling;

namespace Executus.Mcp;

/// <summary>
/// Per-tool settings for one MCP tool (<c>Executus:Mcp:Servers:{server}:Tools:{tool}:…</c>): what Executus's permission
/// stages use instead of what the server's annotations say, plus the description a lazy server's tool is registered with.
/// </summary>
public sealed class McpToolOverride
{
    /// <summary>Gets or sets the side effect, overriding <c>readOnlyHint</c>/<c>openWorldHint</c>.</summary>
    public SideEffect? SideEffect { get; set; }

    /// <summary>Gets or sets whether a call needs approval, overriding <c>destructiveHint</c>.</summary>
    public bool? NeedsApproval { get; set; }

    /// <summary>Gets or sets whether a call may be repeated on checkpoint resume, overriding <c>idempotentHint</c>.</summary>
    public bool? SafeToRepeat { get; set; }

    /// <summary>Gets the scopes a caller must all have (stage 2); empty keeps the server-wide list.</summary>
    public IList<string> RequiredScopes { get; } = new List<string>();

    /// <summary>Gets the roles of which a caller needs one (stage 2); empty keeps the server-wide list.</summary>
    public IList<string> RequiredRoles { get; } = new List<string>();

    /// <summary>Gets or sets the description a lazy server's tool is registered with before the server has started.</summary>
    public string? Description { get; set; }

    /// <summary>Gets the argument validators run at stage 3 (for example a <see cref="SandboxPathValidator"/> on a path argument).</summary>
    public IList<IToolArgumentValidator> Validators { get; } = new List<IToolArgumentValidator>();
}
