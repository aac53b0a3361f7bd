using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>Which tools exist: <see cref="AIFunction"/>s with metadata, unique by name.</summary>
public interface IToolRegistry
{
    /// <summary>Gets every registered tool, in registration order.</summary>
    IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Registers <paramref name="tool"/>.</summary>
    /// <param name="tool">The function.</param>
    /// <param name="metadata">Its metadata; <see langword="null"/> for <see cref="ToolMetadata.Default"/>.</param>
    /// <returns>The registered tool.</returns>
    /// <exception cref="DuplicateToolException">A tool with the same name is already registered.</exception>
    RegisteredTool Register(AIFunction tool, ToolMetadata? metadata = null);

    /// <summary>Looks up a tool by name (ordinal, case-sensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="tool">The tool when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    bool TryGet(string name, [NotNullWhen(true)] out RegisteredTool? tool);
}
