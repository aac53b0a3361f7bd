namespace Gadfly;

/// <summary>A grid cell that gave no findings: which model and lens, how it ended and why.</summary>
/// <param name="Model">The model.</param>
/// <param name="Lens">The lens.</param>
/// <param name="Status">How the cell ended (Failed, TimedOut, Cancelled).</param>
/// <param name="Reason">The error message.</param>
public sealed record CellFailure(string Model, string Lens, string Status, string Reason);
