namespace Executus.Tooling;

/// <summary>A typed refusal of a tool by a permission stage: audited, and shown to the model as a tool error.</summary>
/// <param name="Stage">The stage that refused.</param>
/// <param name="Code">The rule that refused.</param>
/// <param name="ToolName">The tool's name as requested.</param>
/// <param name="Reason">A readable reason.</param>
public sealed record ToolDenial(PermissionStage Stage, ToolDenialCode Code, string ToolName, string Reason)
{
    /// <summary>Formats the denial as the error text a model reads in the tool result.</summary>
    /// <returns>The text.</returns>
    public string ToToolError() => Code switch
    {
        ToolDenialCode.UnknownTool or ToolDenialCode.MalformedArguments or ToolDenialCode.SchemaViolation =>
            $"Error: {Reason}",
        _ => $"Error: the call to tool '{ToolName}' was denied ({Stage.ToString().ToUpperInvariant()} check, {Code}): {Reason}",
    };
}
