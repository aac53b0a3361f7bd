using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>How one cell of the review grid ended: which model row and lens, its status, which model answered, time and tokens.</summary>
/// <param name="Model">The grid row's name (a tier, a <c>provider:model</c> reference or a scripted model).</param>
/// <param name="Lens">The lens.</param>
/// <param name="Status">How the cell ended: Succeeded, Failed, TimedOut or Cancelled.</param>
/// <param name="AnsweredBy">
/// The model id the last response named (after failover this differs from the tier), or null when no response came.
/// </param>
/// <param name="Duration">How long the cell ran.</param>
/// <param name="Usage">The tokens every call of the cell spent, failed attempts included; null when none was reported.</param>
/// <param name="Error">Why the cell failed, or null.</param>
public sealed record ReviewCell(string Model, string Lens, string Status, string? AnsweredBy, TimeSpan Duration, UsageDetails? Usage, string? Error)
{
    /// <summary>Gets a value indicating whether the cell answered.</summary>
    public bool Succeeded => Status == "Succeeded";
}
