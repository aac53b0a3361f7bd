namespace Executus.Fanout;

/// <summary>
/// Runs a grid of cells (e.g. models × lenses) with a concurrency cap, an optional lane, a per-cell timeout,
/// fail-fast and quorum options. Every cell ends as a value or a captured error; the result keeps grid order.
/// </summary>
/// <remarks>
/// At most <see cref="FanOutOptions.MaxConcurrency"/> cells are in flight: that many small loops each take the next
/// cell index, so cells start in grid order and a lane never sees more than the cap from one fan-out. A cell that
/// ignores its cancellation token is abandoned when its timeout or the fan-out's stop fires.
/// </remarks>
public static class FanOutRunner
{
    /// <summary>Runs <paramref name="cell"/> for every (row, column) pair; a cell may report usage with its value.</summary>
    /// <typeparam name="TRow">The row item type (e.g. a model).</typeparam>
    /// <typeparam name="TColumn">The column item type (e.g. a review lens).</typeparam>
    /// <typeparam name="T">The cells' value type.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="cell">The work of one cell; it must honour its cancellation token.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole fan-out; the call then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The grid of outcomes, in row-major order, with the aggregate usage.</returns>
    public static async Task<FanOutResult<T>> RunAsync<TRow, TColumn, T>(
        IReadOnlyList<TRow> rows,
        IReadOnlyList<TColumn> columns,
        Func<TRow, TColumn, CancellationToken, Task<FanOutValue<T>>> cell,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(cell);
        options ??= new FanOutOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, "options.MaxConcurrency");
        if (options.CellTimeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "FanOutOptions.CellTimeout must be positive.");
        }

        int total = checked(rows.Count * columns.Count);
        if (options.Quorum is { } quorum && (quorum < 1 || quorum > total))
        {
            throw new ArgumentOutOfRangeException(nameof(options), quorum, $"FanOutOptions.Quorum must be between 1 and the {total} cell(s) of the grid.");
        }

        if (options.Lane is not null)
        {
            ArgumentNullException.ThrowIfNull(options.LaneKey, "options.LaneKey");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var run = new FanOutRun<TRow, TColumn, T>(rows, columns, cell, options, cancellationToken);
        try
        {
            return await run.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            run.Dispose();
        }
    }

    /// <summary>Runs <paramref name="cell"/> for every (row, column) pair; cells report no usage.</summary>
    /// <typeparam name="TRow">The row item type (e.g. a model).</typeparam>
    /// <typeparam name="TColumn">The column item type (e.g. a review lens).</typeparam>
    /// <typeparam name="T">The cells' value type.</typeparam>
    /// <param name="rows">The rows.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="cell">The work of one cell; it must honour its cancellation token.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole fan-out; the call then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The grid of outcomes, in row-major order.</returns>
    public static Task<FanOutResult<T>> RunAsync<TRow, TColumn, T>(
        IReadOnlyList<TRow> rows,
        IReadOnlyList<TColumn> columns,
        Func<TRow, TColumn, CancellationToken, Task<T>> cell,
        FanOutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return RunAsync(
            rows,
            columns,
            async (row, column, ct) => new FanOutValue<T>(await cell(row, column, ct).ConfigureAwait(false)),
            options,
            cancellationToken);
    }
}
