namespace Executus.Runs;

/// <summary>
/// The critic port: asked at every iteration boundary whether the run should go on (<see cref="CriticTrigger.Iteration"/>,
/// or <see cref="CriticTrigger.SoftDeadline"/> once the agent's soft deadline passed), and told at the hard deadline
/// before the run ends (<see cref="CriticTrigger.HardDeadline"/>) so it can escalate. The default is no critic; the
/// Critic battery judges progress at the soft deadline and escalates at the hard one.
/// </summary>
/// <remarks>
/// Failure policy: a critic that throws is logged and treated as <see cref="CriticVerdict.Continue"/> (at the hard
/// deadline: the run ends <see cref="RunOutcome.TimedOut"/>); it never ends a run by failing. Its own model calls
/// (through <c>LlmMeta</c>) are accounted to the run.
/// </remarks>
public interface ICritic
{
    /// <summary>Reviews the run's progress.</summary>
    /// <param name="review">The run's state and why it is reviewed.</param>
    /// <param name="cancellationToken">A token to cancel the review (at the hard deadline: the end-of-run token).</param>
    /// <returns>The verdict.</returns>
    ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default);
}
