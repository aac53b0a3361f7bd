namespace Executus.Runs;

/// <summary>
/// The budget port: asked before every model call, told after. The default, <see cref="NullBudget"/>, allows
/// everything; the Budget battery keeps rolling spend per caller or tenant.
/// </summary>
public interface IBudget
{
    /// <summary>Decides whether the next model call may be made.</summary>
    /// <param name="check">Who is about to spend, on what.</param>
    /// <param name="cancellationToken">A token to cancel the check.</param>
    /// <returns>The decision.</returns>
    ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default);

    /// <summary>Records what a model call spent.</summary>
    /// <param name="charge">The spend.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the charge was recorded.</returns>
    ValueTask RecordAsync(BudgetCharge charge, CancellationToken cancellationToken = default);
}
