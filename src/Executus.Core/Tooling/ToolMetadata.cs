namespace Executus.Tooling;

/// <summary>What the registry knows about a tool beyond its <see cref="Microsoft.Extensions.AI.AIFunction"/>.</summary>
public sealed record ToolMetadata
{
    /// <summary>Gets metadata with no category, no requirements, <see cref="SideEffect.Read"/> and no approval.</summary>
    public static ToolMetadata Default { get; } = new();

    /// <summary>Gets a free-form category for grouping (<c>web</c>, <c>files</c>, <c>comms</c>…).</summary>
    public string? Category { get; init; }

    /// <summary>Gets the scopes a caller must hold, all of them (compared case-insensitively).</summary>
    public IReadOnlyList<string> RequiredScopes { get; init; } = [];

    /// <summary>Gets the roles that unlock the tool: a caller needs at least one of them. Empty: no role needed.</summary>
    public IReadOnlyList<string> RequiredRoles { get; init; } = [];

    /// <summary>Gets what the tool does to the world.</summary>
    public SideEffect SideEffect { get; init; } = SideEffect.Read;

    /// <summary>
    /// Gets whether a call may simply be run again when a restart left its outcome unknown (it is idempotent).
    /// <see langword="null"/> (the default): only <see cref="SideEffect.Read"/> tools are. When a run resumes from a
    /// checkpoint taken while calls were in flight, calls of tools safe to repeat are re-run; the others get a result
    /// saying the call was interrupted and may or may not have taken effect, and the model decides.
    /// </summary>
    public bool? SafeToRepeat { get; init; }

    /// <summary>Gets whether a call of this tool may be re-run after an interruption: <see cref="SafeToRepeat"/>, else <see cref="SideEffect.Read"/>.</summary>
    public bool IsSafeToRepeat => SafeToRepeat ?? SideEffect == SideEffect.Read;

    /// <summary>
    /// Gets whether every call needs approval through an <see cref="IToolApprovalHandler"/>. A tool registered as an
    /// <see cref="Microsoft.Extensions.AI.ApprovalRequiredAIFunction"/> needs approval whatever this says.
    /// </summary>
    public bool NeedsApproval { get; init; }

    /// <summary>Gets validators run on the actual arguments of every call (stage 3), in order.</summary>
    public IReadOnlyList<IToolArgumentValidator> Validators { get; init; } = [];
}
