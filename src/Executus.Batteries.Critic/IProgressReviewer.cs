using Executus.Runs;

namespace Executus.Critics;

/// <summary>
/// Judges whether a run that passed its soft deadline is making progress: <see cref="CriticVerdict.Continue"/>,
/// <see cref="CriticVerdict.Extend"/> (the critic caps it), <see cref="CriticVerdict.Stop"/> or
/// <see cref="CriticVerdict.Escalate"/>. Shipped: <see cref="RuleBasedReviewer"/> (default) and <see cref="LlmProgressReviewer"/>.
/// </summary>
public interface IProgressReviewer
{
    /// <summary>Reviews the run's progress.</summary>
    /// <param name="review">The run and the critic's state.</param>
    /// <param name="cancellationToken">A token to cancel the review.</param>
    /// <returns>The verdict.</returns>
    ValueTask<CriticVerdict> ReviewAsync(ProgressReview review, CancellationToken cancellationToken = default);
}
