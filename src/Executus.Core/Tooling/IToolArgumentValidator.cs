namespace Executus.Tooling;

/// <summary>A stage-3 check of a call's actual arguments (URLs through the SSRF guard, sandboxed paths, sizes…).</summary>
public interface IToolArgumentValidator
{
    /// <summary>Validates the arguments of a call to <paramref name="tool"/>.</summary>
    /// <param name="tool">The tool being called.</param>
    /// <param name="arguments">The call's arguments (values are usually <see cref="System.Text.Json.JsonElement"/>s; use <see cref="ToolArguments"/> to read them).</param>
    /// <param name="context">The call's context.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>Allow, or deny with a reason the model can read.</returns>
    ValueTask<PermissionDecision> ValidateAsync(
        RegisteredTool tool,
        IReadOnlyDictionary<string, object?> arguments,
        ToolInvocationContext context,
        CancellationToken cancellationToken = default);
}
