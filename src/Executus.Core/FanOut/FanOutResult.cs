using Microsoft.Extensions.AI;

namespace Executus.Fanout;

/// <summary>The whole grid of a fan-out, in row-major order, with counts and the aggregate usage.</summary>
/// <typeparam name="T">The cells' value type.</typeparam>
public sealed class FanOutResult<T>
{
    internal FanOutResult(int rowCount, int columnCount, FanOutCell<T>[] cells, bool quorumReached, bool failedFast)
    {
        RowCount = rowCount;
        ColumnCount = columnCount;
        Cells = cells;
        QuorumReached = quorumReached;
        FailedFast = failedFast;
        foreach (FanOutCell<T> cell in cells)
        {
            switch (cell.Status)
            {
                case FanOutCellStatus.Succeeded:
                    SucceededCount++;
                    break;
                case FanOutCellStatus.Failed:
                    FailedCount++;
                    break;
                case FanOutCellStatus.TimedOut:
                    TimedOutCount++;
                    break;
                default:
                    CancelledCount++;
                    break;
            }

            if (cell.Usage is { } usage)
            {
                Usage ??= new UsageDetails();
                Usage.Add(usage);
            }
        }
    }

    /// <summary>Gets the number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Gets the number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>Gets every cell, row by row (cell (r, c) is at index <c>r * ColumnCount + c</c>).</summary>
    public IReadOnlyList<FanOutCell<T>> Cells { get; }

    /// <summary>Gets the sum of the usage the cells reported, or <see langword="null"/> when none did.</summary>
    public UsageDetails? Usage { get; }

    /// <summary>Gets how many cells returned a value.</summary>
    public int SucceededCount { get; }

    /// <summary>Gets how many cells threw.</summary>
    public int FailedCount { get; }

    /// <summary>Gets how many cells timed out.</summary>
    public int TimedOutCount { get; }

    /// <summary>Gets how many cells were cancelled or never started.</summary>
    public int CancelledCount { get; }

    /// <summary>Gets a value indicating whether the fan-out stopped because <see cref="FanOutOptions.Quorum"/> cells succeeded.</summary>
    public bool QuorumReached { get; }

    /// <summary>Gets a value indicating whether the fan-out stopped at the first failure (<see cref="FanOutOptions.FailFast"/>).</summary>
    public bool FailedFast { get; }

    /// <summary>Returns the cell at <paramref name="row"/>, <paramref name="column"/>.</summary>
    /// <param name="row">The row index.</param>
    /// <param name="column">The column index.</param>
    /// <returns>The cell.</returns>
    public FanOutCell<T> GetCell(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, ColumnCount);
        return Cells[(row * ColumnCount) + column];
    }
}
