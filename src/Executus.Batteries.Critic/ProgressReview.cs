using Executus.Runs;

namespace Executus.Critics;

/// <summary>What an <see cref="IProgressReviewer"/> is shown: the kernel's review plus where the critic's state machine stands.</summary>
/// <param name="Run">The run's state (messages, elapsed time, usage…).</param>
/// <param name="ReviewNumber">1 for the first review after the soft deadline, then 2, 3…</param>
/// <param name="ExtensionsGranted">How many extensions the run got so far.</param>
/// <param name="ExtensionLeft">How much more time extensions may still add (zero when none may be granted).</param>
public sealed record ProgressReview(CriticReview Run, int ReviewNumber, int ExtensionsGranted, TimeSpan ExtensionLeft);
