using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>
/// The outcome of permission stages 1 and 2 in the form a <see cref="Toolbox"/> reads it: the allowed tools by name, their
/// functions and the denials. Immutable, so runs whose outcome cannot differ (same agent list, same registry, an
/// allow-all palette and no caller requirements) share one.
/// </summary>
internal sealed class ToolboxShape
{
    public ToolboxShape(List<RegisteredTool> allowed, List<ToolDenial> denials)
    {
        Tools = allowed;
        Functions = [.. allowed.Select(t => (AITool)t.Function)];
        Denials = denials;
        Allowed = new Dictionary<string, RegisteredTool>(allowed.Count, StringComparer.Ordinal);
        foreach (RegisteredTool tool in allowed)
        {
            Allowed.Add(tool.Name, tool);
        }

        ReadOnly = allowed.TrueForAll(static t => t.Metadata.SideEffect == SideEffect.Read);
        Denied = new Dictionary<string, ToolDenial>(StringComparer.Ordinal);
        foreach (ToolDenial denial in denials)
        {
            Denied.TryAdd(denial.ToolName, denial);
        }
    }

    /// <summary>Gets the tools the run may use, in the agent's order.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Gets the tools' functions, ready for <see cref="ChatOptions.Tools"/>.</summary>
    public IReadOnlyList<AITool> Functions { get; }

    /// <summary>Gets the stage 1 and 2 denials.</summary>
    public IReadOnlyList<ToolDenial> Denials { get; }

    /// <summary>Gets the allowed tools by name.</summary>
    public Dictionary<string, RegisteredTool> Allowed { get; }

    /// <summary>Gets whether every allowed tool only reads (<see cref="SideEffect.Read"/>).</summary>
    public bool ReadOnly { get; }

    /// <summary>Gets the first denial of each denied name.</summary>
    public Dictionary<string, ToolDenial> Denied { get; }
}
