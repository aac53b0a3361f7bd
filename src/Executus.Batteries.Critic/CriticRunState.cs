namespace Executus.Critics;

/// <summary>A snapshot of one run's state in <see cref="TimeoutCritic"/> (<see cref="TimeoutCritic.GetState"/>).</summary>
/// <param name="Phase">Where the run stands.</param>
/// <param name="Reviews">How many progress reviews were made.</param>
/// <param name="Extensions">How many extensions were granted.</param>
/// <param name="TotalExtension">How much time the extensions added.</param>
public sealed record CriticRunState(CriticPhase Phase, int Reviews, int Extensions, TimeSpan TotalExtension);
