namespace Executus.Runs;

/// <summary>
/// The critic port: asked at every iteration boundary whether the run should go on. The default,
/// <see cref="NullCritic"/>, always continues; the Critic battery judges progress at a soft deadline and escalates at
/// a hard one.
/// </summary>
public interface ICritic
{
    /// <summary>Reviews the run's progress.</summary>
    /// <param name="review">The run's state.</param>
    /// <param name="cancellationToken">A token to cancel the review.</param>
    /// <returns>The verdict.</returns>
    ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default);
}
