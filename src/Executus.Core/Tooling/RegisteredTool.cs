using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>A tool in the registry: its <see cref="AIFunction"/> and its <see cref="ToolMetadata"/>.</summary>
public sealed class RegisteredTool
{
    private ToolSchemaPlan? _schemaPlan;

    /// <summary>Initializes a registered tool.</summary>
    /// <param name="function">The function (built with <see cref="AIFunctionFactory"/> or by hand).</param>
    /// <param name="metadata">Its metadata; <see langword="null"/> for <see cref="ToolMetadata.Default"/>.</param>
    public RegisteredTool(AIFunction function, ToolMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentException.ThrowIfNullOrWhiteSpace(function.Name, nameof(function));
        Function = function;
        Metadata = metadata ?? ToolMetadata.Default;
        RequiresApproval = Metadata.NeedsApproval || function.GetService<ApprovalRequiredAIFunction>() is not null;
    }

    /// <summary>Gets the tool's name (the function's name; compared ordinally, as models send it).</summary>
    public string Name => Function.Name;

    /// <summary>Gets the function.</summary>
    public AIFunction Function { get; }

    /// <summary>Gets the metadata.</summary>
    public ToolMetadata Metadata { get; }

    /// <summary>
    /// Gets whether calls need approval: <see cref="ToolMetadata.NeedsApproval"/>, or the function is an
    /// <see cref="ApprovalRequiredAIFunction"/>.
    /// </summary>
    public bool RequiresApproval { get; }

    /// <summary>
    /// Checks <paramref name="caller"/> against the tool's requirements (permission stage 2): every one of
    /// <see cref="ToolMetadata.RequiredScopes"/> and any one of <see cref="ToolMetadata.RequiredRoles"/>.
    /// </summary>
    /// <param name="caller">The caller.</param>
    /// <returns>The denial, or <see langword="null"/> when the caller may use the tool.</returns>
    public ToolDenial? CheckCaller(Identity.CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (Metadata.RequiredScopes.Count == 0 && Metadata.RequiredRoles.Count == 0)
        {
            return null;
        }

        string[] missingScopes = [.. Metadata.RequiredScopes.Where(s => !caller.HasScope(s))];
        if (missingScopes.Length > 0)
        {
            return new ToolDenial(
                PermissionStage.Caller,
                ToolDenialCode.MissingScope,
                Name,
                $"caller '{caller.Id}' lacks the required scope(s) {Quote(missingScopes)}");
        }

        IReadOnlyList<string> roles = Metadata.RequiredRoles;
        if (roles.Count > 0 && !roles.Any(caller.HasRole))
        {
            return new ToolDenial(
                PermissionStage.Caller,
                ToolDenialCode.MissingRole,
                Name,
                $"caller '{caller.Id}' has none of the roles {Quote(roles)} this tool requires");
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string Quote(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"'{v}'"));

    /// <summary>Gets the function schema read once for argument checks (a benign race may build it twice).</summary>
    internal ToolSchemaPlan SchemaPlan => _schemaPlan ??= ToolSchemaPlan.Create(Function.JsonSchema);
}
