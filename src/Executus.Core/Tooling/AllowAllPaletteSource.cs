using Executus.Identity;

namespace Executus.Tooling;

/// <summary>The default <see cref="IPaletteSource"/>: every registered tool the agent names is visible.</summary>
public sealed class AllowAllPaletteSource : IPaletteSource
{
    /// <summary>Gets a shared instance.</summary>
    public static AllowAllPaletteSource Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return ValueTask.FromResult(PermissionDecision.Allow);
    }
}
