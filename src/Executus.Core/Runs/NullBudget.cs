namespace Executus.Runs;

/// <summary>The default <see cref="IBudget"/>: allows every call and records nothing.</summary>
public sealed class NullBudget : IBudget
{
    /// <summary>Gets a shared instance.</summary>
    public static NullBudget Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BudgetDecision.Allow);

    /// <inheritdoc />
    public ValueTask RecordAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
