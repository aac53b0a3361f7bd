namespace Executus.Runs;

/// <summary>
/// The budget port, asked before every model call made on behalf of a run — the run's own calls and the calls made
/// inside it by <c>LlmMeta</c> (compaction summaries, classifications) or a critic — and told after, through one
/// accounting channel (the usage-recording decorator of the resolved client, reading
/// <see cref="Models.ModelCallContext.Account"/>), so every call is counted exactly once.
/// </summary>
/// <remarks>
/// <para>Protocol: <see cref="CheckAsync"/> returns a decision; a refusal means the call is not made (the run ends
/// <see cref="RunOutcome.BudgetExceeded"/>, a meta call throws <see cref="BudgetExceededException"/>). Every allowed
/// check is followed by exactly one <see cref="SettleAsync"/> with the actual usage when the call completed, or one
/// <see cref="ReleaseAsync"/> at once when it threw, was cancelled or its stream was abandoned — so an implementation
/// can reserve the estimate at check time and keep concurrent runs from overspending by more than one call.</para>
/// <para>Failure policy: the budget is the one port that may end a run. A throwing <see cref="CheckAsync"/> ends the
/// run <see cref="RunOutcome.Failed"/> (a budget that cannot answer must not let spend through); a throwing settle or
/// release is logged and the run goes on. The default, <see cref="NullBudget"/>, allows everything and is skipped.</para>
/// </remarks>
public interface IBudget
{
    /// <summary>Decides whether the next model call may be made, reserving its estimate if the budget wants to.</summary>
    /// <param name="check">Who is about to spend, on what, and how much at most.</param>
    /// <param name="cancellationToken">A token to cancel the check.</param>
    /// <returns>The decision.</returns>
    ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default);

    /// <summary>Records what an allowed call really spent, replacing its reservation.</summary>
    /// <param name="charge">The reservation and the actual usage.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the charge was recorded.</returns>
    ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default);

    /// <summary>Drops the reservation of an allowed call that failed, was cancelled or was abandoned before it completed.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">A token to cancel the write (the call's own token may already be cancelled; this one is not).</param>
    /// <returns>A task that completes when the reservation was released.</returns>
    ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);
}
