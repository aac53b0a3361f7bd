using Executus.Auditing;
using Executus.Deliver;
using Executus.Tooling;

namespace Executus.Runs;

/// <summary>
/// The kernel's inverted edges: where batteries plug in. Every port is optional; a null port is replaced by its
/// null object (allow-all budget, no audit, no checkpoint, always-continue critic, allow-all palette, no delivery).
/// </summary>
public sealed record RunPorts
{
    /// <summary>Gets ports that are all null objects.</summary>
    public static RunPorts None { get; } = new();

    /// <summary>Gets the budget port.</summary>
    public IBudget? Budget { get; init; }

    /// <summary>Gets the audit port.</summary>
    public IAudit? Audit { get; init; }

    /// <summary>Gets the checkpoint port.</summary>
    public ICheckpointer? Checkpointer { get; init; }

    /// <summary>Gets the critic port.</summary>
    public ICritic? Critic { get; init; }

    /// <summary>Gets the palette port (stage 1 of the tool permissions).</summary>
    public IPaletteSource? Palette { get; init; }

    /// <summary>Gets where output goes; when null, nothing is delivered and the result carries the output.</summary>
    public IDelivery? Delivery { get; init; }

    /// <summary>Gets the observers that receive every run event.</summary>
    public IReadOnlyList<IRunObserver> Observers { get; init; } = [];
}
