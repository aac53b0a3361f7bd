using System.ComponentModel;

namespace Gadfly;

/// <summary>The structured answer of one model for one lens: its findings (possibly none).</summary>
/// <param name="Findings">The findings.</param>
public sealed record Review([property: Description("The findings; an empty array when the diff has no problem under this lens.")] IReadOnlyList<Finding> Findings);
