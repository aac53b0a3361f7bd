using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>The default, thread-safe <see cref="IToolRegistry"/>. Reads are lock-free snapshots.</summary>
public sealed class ToolRegistry : IToolRegistry
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, RegisteredTool> _byName = ImmutableDictionary.Create<string, RegisteredTool>(StringComparer.Ordinal);
    private ImmutableList<RegisteredTool> _tools = [];

    /// <summary>Initializes an empty registry.</summary>
    public ToolRegistry()
    {
    }

    /// <summary>Initializes a registry holding <paramref name="tools"/>.</summary>
    /// <param name="tools">The tools.</param>
    /// <exception cref="DuplicateToolException">Two tools share a name.</exception>
    public ToolRegistry(IEnumerable<RegisteredTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (RegisteredTool tool in tools)
        {
            Add(tool);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RegisteredTool> Tools => _tools;

    /// <inheritdoc />
    public RegisteredTool Register(AIFunction tool, ToolMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tool);
        RegisteredTool registered = new(tool, metadata);
        Add(registered);
        return registered;
    }

    /// <summary>Adds an already built <see cref="RegisteredTool"/>.</summary>
    /// <param name="tool">The tool.</param>
    /// <exception cref="DuplicateToolException">A tool with the same name is already registered.</exception>
    public void Add(RegisteredTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        lock (_gate)
        {
            if (_byName.TryGetValue(tool.Name, out RegisteredTool? existing))
            {
                throw new DuplicateToolException(tool.Name, existing.Metadata.Category);
            }

            _byName = _byName.Add(tool.Name, tool);
            _tools = _tools.Add(tool);
        }
    }

    /// <summary>Removes the tool registered under <paramref name="name"/>, if any.</summary>
    /// <param name="name">The tool's name (ordinal).</param>
    /// <returns><see langword="true"/> when a tool was removed.</returns>
    /// <remarks>Runs already under way keep the toolbox they were built with; new runs no longer see the tool.
    /// Used by sources whose tools come and go at run time (an MCP server's <c>tools/list_changed</c>).</remarks>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (!_byName.TryGetValue(name, out RegisteredTool? existing))
            {
                return false;
            }

            _byName = _byName.Remove(name);
            _tools = _tools.Remove(existing);
            return true;
        }
    }

    /// <inheritdoc />
    public bool TryGet(string name, [NotNullWhen(true)] out RegisteredTool? tool)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out tool);
    }
}
