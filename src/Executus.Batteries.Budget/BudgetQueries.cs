namespace Executus.Batteries.Budget;

/// <summary>
/// The operator's view of the budget: spend per account over a window, top spenders, and what is left — read from the
/// same <see cref="IBudgetStore"/> and limits the run budget uses.
/// </summary>
public sealed class BudgetQueries
{
    private readonly IBudgetStore _store;
    private readonly Func<BudgetOptions> _options;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The ledger.</param>
    /// <param name="options">Gets the current options (limits and window); called at every query.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public BudgetQueries(IBudgetStore store, Func<BudgetOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets an account's settled spend over the last <paramref name="window"/> (the budget's window when null).</summary>
    /// <param name="key">The account.</param>
    /// <param name="window">How far back to look.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The spend.</returns>
    public ValueTask<BudgetAmount> GetSpendAsync(BudgetScopeKey key, TimeSpan? window = null, CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return _store.GetSpendAsync(key, now - Window(window), now, cancellationToken);
    }

    /// <summary>Ranks the accounts of <paramref name="scope"/> by settled spend over the last <paramref name="window"/>.</summary>
    /// <param name="scope">The scope (tenants, callers, agents).</param>
    /// <param name="count">How many rows at most.</param>
    /// <param name="orderBy">Rank by money (the default) or tokens.</param>
    /// <param name="window">How far back to look; the budget's window when null.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The rows, highest first.</returns>
    public ValueTask<IReadOnlyList<BudgetSpendRow>> GetTopSpendersAsync(BudgetScope scope, int count = 10, BudgetMetric orderBy = BudgetMetric.Cost, TimeSpan? window = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        DateTimeOffset now = _time.GetUtcNow();
        return _store.GetTopSpendersAsync(scope, now - Window(window), now, count, orderBy, cancellationToken);
    }

    /// <summary>Gets an account's limit, spend, live reservations and what is left in the current window.</summary>
    /// <param name="key">The account.</param>
    /// <param name="cancellationToken">A token to cancel the query.</param>
    /// <returns>The standing.</returns>
    public async ValueTask<BudgetRemaining> GetRemainingAsync(BudgetScopeKey key, CancellationToken cancellationToken = default)
    {
        BudgetOptions options = _options();
        DateTimeOffset now = _time.GetUtcNow();
        BudgetAmount spent = await _store.GetSpendAsync(key, now - options.Window, now, cancellationToken).ConfigureAwait(false);
        BudgetAmount reserved = await _store.GetReservedAsync(key, now, cancellationToken).ConfigureAwait(false);
        BudgetLimit? limit = BudgetScopes.LimitFor(options.Limits, key);
        BudgetAmount committed = spent + reserved;
        return new BudgetRemaining
        {
            Key = key,
            Limit = limit,
            Spent = spent,
            Reserved = reserved,
            RemainingTokens = limit?.MaxTokens is long maxTokens ? Math.Max(0, maxTokens - committed.Tokens) : null,
            RemainingCost = limit?.MaxCost is decimal maxCost ? Math.Max(0, maxCost - committed.Cost) : null,
        };
    }

    private TimeSpan Window(TimeSpan? window)
    {
        TimeSpan value = window ?? _options().Window;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(window));
        return value;
    }
}
