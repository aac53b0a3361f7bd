namespace Executus.Runs;

/// <summary>The default <see cref="IBudget"/>: allows every call and records nothing. The accounting channel skips it.</summary>
public sealed class NullBudget : IBudget
{
    /// <summary>Gets a shared instance.</summary>
    public static NullBudget Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BudgetDecision.Allow);

    /// <inheritdoc />
    public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
