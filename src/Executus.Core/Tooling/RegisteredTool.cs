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

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Gets the function schema read once for argument checks (a benign race may build it twice).</summary>
    internal ToolSchemaPlan SchemaPlan => _schemaPlan ??= ToolSchemaPlan.Create(Function.JsonSchema);
}
